package org.fedfms.data.tests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;

/** In-memory samples for the tests: a tiny image whose mask is filled with one class. */
final class TestSamples {

    private TestSamples() {
    }

    /** A 4×4 gray sample of class {@code label} (0: empty mask). */
    record Tiny(String id, String caseId, int label) implements Sample {
        @Override
        public LabeledImage load() {
            float[] px = new float[16];
            byte[] mask = new byte[16];
            for (int i = 0; i < 16; i++) {
                px[i] = i * 10;
                mask[i] = (byte) (i < 8 ? label : 0);
            }
            return new LabeledImage(4, 4, 1, px, mask);
        }
    }

    /** A sample whose file cannot be read. */
    record Broken(String id, String caseId) implements Sample {
        @Override
        public LabeledImage load() throws IOException {
            throw new IOException(id + ": cannot read: corrupt data");
        }
    }

    /** A sample with a mask label of 7. */
    record BadLabel(String id, String caseId) implements Sample {
        @Override
        public LabeledImage load() {
            byte[] mask = new byte[16];
            mask[5] = 7;
            return new LabeledImage(4, 4, 1, new float[16], mask);
        }
    }

    /** {@code cases} cases of {@code perCase} samples each, named {@code prefix-cC-sS}, all of class {@code label}. */
    static List<Sample> cases(String prefix, int cases, int perCase, int label) {
        List<Sample> l = new ArrayList<>();
        for (int c = 0; c < cases; c++) {
            for (int s = 0; s < perCase; s++) {
                l.add(new Tiny(prefix + "-c" + c + "-s" + s, prefix + "-c" + c, label));
            }
        }
        return l;
    }
}
