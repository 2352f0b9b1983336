package org.fedfms.wire;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;

/**
 * Hard limits a {@link WireDecoder} enforces while it reads a header, before it allocates anything a
 * header asks for. The defaults admit a full fp32 SAM ViT-H (641 M parameters) and refuse more.
 *
 * @param maxMessageBytes largest whole message, header to checksum
 * @param maxTensors most tensors in one message
 * @param maxNameLength longest tensor name, metric name, experiment or site id, in UTF-8 bytes
 * @param maxRank most dimensions of one tensor
 * @param maxElementsPerTensor most values in one tensor
 * @param maxTotalElements most values over all tensors of a message
 * @param maxMetrics most metrics in one message
 */
public record WireLimits(
        @Setting(description = "largest message in bytes, header to checksum", min = 16)
        long maxMessageBytes,
        @Setting(description = "most tensors in one message", min = 0, max = Integer.MAX_VALUE)
        int maxTensors,
        @Setting(description = "longest tensor name, metric name, experiment or site id (UTF-8 bytes)", min = 1,
                max = MAX_STRING_BYTES)
        int maxNameLength,
        @Setting(description = "most dimensions of one tensor", min = 0, max = MAX_RANK)
        int maxRank,
        @Setting(description = "most values in one tensor", min = 0, max = MAX_ELEMENTS_PER_TENSOR)
        int maxElementsPerTensor,
        @Setting(description = "most values over all tensors of a message", min = 0)
        long maxTotalElements,
        @Setting(description = "most metrics in one message", min = 0, max = MAX_STRING_BYTES)
        int maxMetrics) {

    /** Longest string the format can hold (a 16-bit length). */
    public static final int MAX_STRING_BYTES = 0xFFFF;
    /** Highest rank the format can hold (an 8-bit rank). */
    public static final int MAX_RANK = 0xFF;
    /** Largest Java array of floats a tensor can have. */
    public static final int MAX_ELEMENTS_PER_TENSOR = Integer.MAX_VALUE - 8;

    private static final WireLimits DEFAULTS =
            new WireLimits(3L << 30, 10_000, 512, 8, 1 << 28, 1_000_000_000L, 256);
    private static final SettingsSchema<WireLimits> SCHEMA =
            SettingsSchema.of("wire limits", WireLimits.class, DEFAULTS);

    public WireLimits {
        check("maxMessageBytes", maxMessageBytes, 16, Long.MAX_VALUE);
        check("maxTensors", maxTensors, 0, Integer.MAX_VALUE);
        check("maxNameLength", maxNameLength, 1, MAX_STRING_BYTES);
        check("maxRank", maxRank, 0, MAX_RANK);
        check("maxElementsPerTensor", maxElementsPerTensor, 0, MAX_ELEMENTS_PER_TENSOR);
        check("maxTotalElements", maxTotalElements, 0, Long.MAX_VALUE);
        check("maxMetrics", maxMetrics, 0, MAX_STRING_BYTES);
    }

    /** 3 GiB, 10,000 tensors, names of 512 bytes, rank 8, 2^28 values per tensor, 10^9 in all, 256 metrics. */
    public static WireLimits defaults() {
        return DEFAULTS;
    }

    /** The schema that binds limits from shell options, forms or JSON over the defaults. */
    public static SettingsSchema<WireLimits> schema() {
        return SCHEMA;
    }

    public WireLimits withMaxMessageBytes(long v) {
        return with(0, v);
    }

    public WireLimits withMaxTensors(int v) {
        return with(1, v);
    }

    public WireLimits withMaxNameLength(int v) {
        return with(2, v);
    }

    public WireLimits withMaxRank(int v) {
        return with(3, v);
    }

    public WireLimits withMaxElementsPerTensor(int v) {
        return with(4, v);
    }

    public WireLimits withMaxTotalElements(long v) {
        return with(5, v);
    }

    public WireLimits withMaxMetrics(int v) {
        return with(6, v);
    }

    /** These limits with the component at {@code index} (in declaration order) set to {@code v}, checked. */
    private WireLimits with(int index, long v) {
        long[] c = {maxMessageBytes, maxTensors, maxNameLength, maxRank, maxElementsPerTensor, maxTotalElements,
            maxMetrics};
        c[index] = v;
        return new WireLimits(c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4], c[5], (int) c[6]);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("wire limit " + name + " = " + value + " is outside [" + min + ", "
                    + max + "]");
        }
    }
}
