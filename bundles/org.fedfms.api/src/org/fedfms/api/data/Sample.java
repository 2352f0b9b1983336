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

    /**
     * An id or case name without its image or volume file extension ({@code .png}, {@code .jpg}, {@code .jpeg},
     * {@code .bmp}, {@code .tif}, {@code .tiff}, {@code .npy}, {@code .nii}, {@code .nii.gz}), to name files
     * written for it: {@code img_01.png} gives {@code img_01}, so a picture of it is not {@code img_01.png.png}.
     */
    static String stem(String name) {
        return name.replaceFirst("(?i)\\.(png|jpe?g|bmp|tiff?|npy|nii|nii\\.gz)$", "");
    }

    /** Reads and decodes the sample; the error names the file and the problem. */
    LabeledImage load() throws IOException;
}
