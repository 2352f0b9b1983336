package org.fedfms.data;

import java.io.IOException;

import org.fedfms.api.data.Sample;

/**
 * The class a sample stands for when a Dirichlet partition deals classes to sites. Loaders that know
 * it without decoding pixels supply their own; the default decodes the mask.
 */
@FunctionalInterface
public interface ClassLabeler {

    /** The sample's class: 0 for background only. */
    int label(Sample sample) throws IOException;

    /** The most frequent foreground class of the decoded mask, 0 if the mask is empty. */
    ClassLabeler DOMINANT_CLASS = sample -> dominantClass(sample.load().mask());

    /** The most frequent non-zero value of {@code mask}, 0 if there is none. */
    static int dominantClass(byte[] mask) {
        int[] counts = new int[256];
        for (byte b : mask) {
            counts[b & 0xFF]++;
        }
        int best = 0;
        for (int c = 1; c < counts.length; c++) {
            if (counts[c] > 0 && (best == 0 || counts[c] > counts[best])) {
                best = c;
            }
        }
        return best;
    }
}
