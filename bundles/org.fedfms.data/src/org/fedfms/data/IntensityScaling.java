package org.fedfms.data;

/** How raw intensities become the 0..255 range of a {@code LabeledImage}. */
public enum IntensityScaling {
    /** 8-bit data and data within 0..255 as they are, 0..1 data times 255, anything else min-max. */
    AUTO,
    /** As stored, clamped to 0..255. */
    NONE,
    /** The smallest value to 0, the largest to 255. */
    MINMAX,
    /** The windowLow and windowHigh percentiles to 0 and 255 (e.g. 0.5 and 99.5). */
    PERCENTILE,
    /** The raw values windowLow and windowHigh to 0 and 255 (e.g. a CT window -160..240). */
    FIXED;

    /** The setting's description, for settings records. */
    public static final String SETTING_DESCRIPTION = "intensity scaling to 0..255: auto (0..255 kept, 0..1 x255, "
            + "else min-max), none (clamped), minmax, percentile (windowLow..windowHigh percentiles) or fixed "
            + "(windowLow..windowHigh raw values)";

    /**
     * The window for {@code values}.
     *
     * @param low percentile or raw value of PERCENTILE and FIXED
     * @param high percentile or raw value of PERCENTILE and FIXED
     */
    public IntensityWindow window(float[] values, double low, double high) {
        return switch (this) {
            case AUTO -> IntensityWindow.auto(values);
            case NONE -> IntensityWindow.BYTE_RANGE;
            case MINMAX -> IntensityWindow.minMax(values);
            case PERCENTILE -> IntensityWindow.percentile(values, low, high);
            case FIXED -> new IntensityWindow(low, high);
        };
    }
}
