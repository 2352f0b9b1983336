package org.fedfms.wire;

import org.fedfms.api.io.HalfFloats;

/**
 * How a tensor's values travel: fp32 (exact, the default), or fp16 / bfloat16 (half the bytes,
 * rounded to nearest even; NaN and infinities kept). Decoding always yields fp32 tensors.
 */
public enum WireDtype {
    /** IEEE binary32, bit-exact. */
    FP32(0, 4),
    /** IEEE binary16: 11 significant bits, range about ±65504; larger values become infinite. */
    FP16(1, 2),
    /** bfloat16: 8 significant bits, the range of fp32. */
    BF16(2, 2);

    private final int code;
    private final int bytes;

    WireDtype(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    /** The byte that stands for this dtype on the wire. */
    public int code() {
        return code;
    }

    /** Bytes per value on the wire. */
    public int bytesPerValue() {
        return bytes;
    }

    /** The value a receiver gets when {@code f} is sent in this dtype. */
    public float roundTrip(float f) {
        return switch (this) {
            case FP32 -> f;
            case FP16 -> HalfFloats.fromFp16(HalfFloats.toFp16(f));
            case BF16 -> HalfFloats.fromBf16(HalfFloats.toBf16(f));
        };
    }

    /** The dtype with that code, or {@code null} if there is none. */
    static WireDtype fromCode(int code) {
        for (WireDtype d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }
}
