package org.fedfms.data.volume;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.data.IntensityScaling;
import org.fedfms.data.IntensityWindow;

/**
 * Decoded volumes of one dataset, least recently used first out, within a byte budget, so that the
 * slices of a volume do not each decompress it while memory stays bounded. Intensity windows (two
 * numbers per volume) are kept for good.
 */
public final class VolumeCache {

    private final long budget;
    private final LinkedHashMap<Path, NiftiVolume> volumes = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, IntensityWindow> windows = new ConcurrentHashMap<>();
    private long held;

    /** @param budget bytes of voxel data to keep; a larger single volume is read each time */
    public VolumeCache(long budget) {
        this.budget = budget;
    }

    public NiftiVolume get(Path file, String shown) throws IOException {
        synchronized (this) {
            NiftiVolume v = volumes.get(file);
            if (v != null) {
                return v;
            }
        }
        NiftiVolume v = NiftiVolume.read(file, shown);
        synchronized (this) {
            if (v.bytes() <= budget && !volumes.containsKey(file)) {
                volumes.put(file, v);
                held += v.bytes();
                Iterator<NiftiVolume> it = volumes.values().iterator();
                while (held > budget && it.hasNext()) {
                    NiftiVolume old = it.next();
                    held -= old.bytes();
                    it.remove();
                }
            }
        }
        return v;
    }

    /** The intensity window of a volume's channel, computed once from an even sample of its voxels. */
    public IntensityWindow window(Path file, int channel, NiftiVolume volume, IntensityScaling scaling, double low,
            double high) {
        return windows.computeIfAbsent(file + "#" + channel,
                f -> scaling.window(volume.sample(channel, 1 << 20), low, high));
    }

    /** Bytes of voxel data held now. */
    public synchronized long held() {
        return held;
    }
}
