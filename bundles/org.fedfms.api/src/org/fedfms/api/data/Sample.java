package org.fedfms.api.data;

import java.io.IOException;

/** A lazily loaded sample of a site: nothing is read until {@link #load()}. */
public interface Sample {

    /** Id unique within its site (usually the file name). */
    String id();

    /** The case (patient, volume) the sample belongs to; splits never separate a case. */
    default String caseId() {
        return id();
    }

    /** Reads and decodes the sample; the error names the file and the problem. */
    LabeledImage load() throws IOException;
}
