package org.fedfms.api.data;

/** Decodes one sample and says what is wrong with it, if anything. */
public final class SampleCheck {

    private SampleCheck() {
    }

    /**
     * Loads {@code sample} and checks its pixels (finite, within 0..255) and labels (below
     * {@code classes}).
     *
     * @param where how to name the sample in the message (e.g. {@code site/file})
     * @return the problem, or {@code null} if the sample is usable
     */
    public static String problem(Sample sample, int classes, String where) {
        LabeledImage image;
        try {
            image = sample.load();
        } catch (Exception e) {
            String m = e.getMessage();
            return where + ": " + (m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
        }
        return problem(image, classes, where);
    }

    /** Checks decoded pixels and labels; {@code null} if usable. */
    public static String problem(LabeledImage image, int classes, String where) {
        float[] px = image.pixels();
        for (int i = 0; i < px.length; i++) {
            float v = px[i];
            if (!(v >= 0 && v <= 255)) {
                int pixel = i / image.channels();
                return where + ": pixel value " + v + " at row " + pixel / image.width() + ", column "
                        + pixel % image.width() + " is outside 0..255";
            }
        }
        byte[] mask = image.mask();
        for (int i = 0; i < mask.length; i++) {
            int c = mask[i] & 0xFF;
            if (c >= classes) {
                return where + ": mask label " + c + " at row " + i / image.width() + ", column " + i % image.width()
                        + " is not one of the " + classes + " classes (0.." + (classes - 1) + ")";
            }
        }
        return null;
    }
}
