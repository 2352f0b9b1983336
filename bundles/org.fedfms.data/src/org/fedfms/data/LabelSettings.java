package org.fedfms.data;

import org.fedfms.api.settings.Setting;

/**
 * How many classes a loader's labels hold and which label values stand for them, declared once for the
 * loaders of label files (imagefolder, npy, nifti); flattened into settings of their own.
 *
 * @param classes classes including background
 * @param labelValues label values in class order, see {@link LabelMapping#parse(int, String)}
 */
public record LabelSettings(
        @Setting(description = "classes including background", min = 2, max = 256)
        int classes,
        @Setting(description = LabelMapping.SETTING_DESCRIPTION)
        String labelValues) {

    /** Two classes (background and foreground), values as they are. */
    public static final LabelSettings DEFAULTS = new LabelSettings(2, "");

    /**
     * The mapping of label values to classes these settings give.
     *
     * @throws IllegalArgumentException if the values do not fit the classes
     */
    public LabelMapping mapping() {
        return LabelMapping.parse(classes, labelValues);
    }
}
