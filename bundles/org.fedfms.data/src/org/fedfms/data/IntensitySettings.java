package org.fedfms.data;

import org.fedfms.api.settings.Setting;

/**
 * How raw intensities become 0..255, declared once for the loaders that scale them (npy, and the volumetric
 * loaders through {@code VolumeSettings}); flattened into settings of their own.
 *
 * @param intensity the scaling
 * @param windowLow lower percentile (percentile) or raw value (fixed) that becomes 0
 * @param windowHigh upper percentile (percentile) or raw value (fixed) that becomes 255
 */
public record IntensitySettings(
        @Setting(description = IntensityScaling.SETTING_DESCRIPTION)
        IntensityScaling intensity,
        @Setting(description = "lower percentile (percentile) or raw value (fixed) that becomes 0")
        double windowLow,
        @Setting(description = "upper percentile (percentile) or raw value (fixed) that becomes 255")
        double windowHigh) {

    /**
     * Checks that the window's bounds make a window for the scaling (only PERCENTILE and FIXED use them).
     *
     * @throws IllegalArgumentException if the percentiles or values do not make a window
     */
    public void checkWindow() {
        if (intensity == IntensityScaling.PERCENTILE) {
            IntensityWindow.percentile(new float[] {0}, windowLow, windowHigh);
        } else if (intensity == IntensityScaling.FIXED) {
            new IntensityWindow(windowLow, windowHigh);
        }
    }
}
