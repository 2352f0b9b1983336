package org.fedfms.api.train;

import java.util.Locale;

/**
 * A device as users write it, parsed once where it is given (an experiment spec, a prediction request): {@code auto} (a CUDA GPU when the engine sees one, else the CPU),
 * {@code cpu}, or {@code gpu:N} ({@code gpu} alone means {@code gpu:0}).
 *
 * @param kind what was asked for
 * @param gpuIndex the GPU's index for {@link Kind#GPU}, else -1
 */
public record DeviceSpec(Kind kind, int gpuIndex) {

    /** The kinds of device choice. */
    public enum Kind {
        /** A GPU if the engine sees one, else the CPU. */
        AUTO,
        /** The CPU. */
        CPU,
        /** One GPU, by index. */
        GPU
    }

    /** The device chosen when none is named. */
    public static final DeviceSpec AUTO = new DeviceSpec(Kind.AUTO, -1);

    /** The CPU. */
    public static final DeviceSpec CPU = new DeviceSpec(Kind.CPU, -1);

    public DeviceSpec {
        if (kind == Kind.GPU ? gpuIndex < 0 : gpuIndex != -1) {
            throw new IllegalArgumentException("gpu index " + gpuIndex + " does not fit device kind " + kind);
        }
    }

    /**
     * Parses {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N} (case-insensitive; {@code cuda:N}
     * is accepted for {@code gpu:N}).
     *
     * @throws IllegalArgumentException naming the text and the accepted forms
     */
    public static DeviceSpec parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "auto":
            case "":
                return new DeviceSpec(Kind.AUTO, -1);
            case "cpu":
                return new DeviceSpec(Kind.CPU, -1);
            case "gpu":
            case "cuda":
                return new DeviceSpec(Kind.GPU, 0);
            default:
                break;
        }
        int colon = t.indexOf(':');
        if (colon > 0 && (t.startsWith("gpu:") || t.startsWith("cuda:"))) {
            String n = t.substring(colon + 1);
            if (n.matches("\\d{1,4}")) {
                return new DeviceSpec(Kind.GPU, Integer.parseInt(n));
            }
        }
        throw new IllegalArgumentException("device '" + text + "' is not one of auto, cpu, gpu:N (e.g. gpu:0)");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case GPU -> "gpu:" + gpuIndex;
        };
    }
}
