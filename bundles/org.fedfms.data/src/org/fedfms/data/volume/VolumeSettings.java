package org.fedfms.data.volume;

import org.fedfms.api.settings.Setting;
import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensitySettings;

/**
 * How the volumes of a dataset become 2-D samples, declared once for the loaders of volumetric
 * layouts (nnU-Net, Decathlon); their settings records hold one component of this type, flattened
 * into settings of their own.
 *
 * @param axis axis the slices are cut across
 * @param window how intensities are windowed, per volume and channel
 * @param emptySliceStride keep every k-th slice without foreground
 * @param adjacentSlices neighbouring slices as first and third channel (single-channel cases)
 * @param cacheMB megabytes of decoded volumes kept in memory
 */
public record VolumeSettings(
        @Setting(description = "axis the 2-D slices are cut across: x (sagittal), y (coronal), z (axial)")
        NiftiVolume.Axis axis,
        IntensitySettings window,
        @Setting(description = "keep every k-th slice without foreground (1: all, 0: none; the reference keeps 1 "
                + "in 5)", min = 0, max = 10_000)
        int emptySliceStride,
        @Setting(description = "single-channel cases: the slices before and after as first and third channel")
        boolean adjacentSlices,
        @Setting(description = "megabytes of decoded volumes kept in memory", min = 0, max = 1_000_000)
        int cacheMB) {

    /** Axial slices, percentile window 0.5..99.5, every 5th empty slice, 256 MB of volumes. */
    public static final VolumeSettings DEFAULTS = new VolumeSettings(NiftiVolume.Axis.Z,
            new IntensitySettings(IntensityScaling.PERCENTILE, 0.5, 99.5), 5, false, 256);
}
