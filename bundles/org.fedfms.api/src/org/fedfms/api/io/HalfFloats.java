package org.fedfms.api.io;

/**
 * Conversions between fp32 and the 16-bit formats IEEE fp16 (binary16) and bfloat16, rounding to
 * nearest, ties to even. NaN stays NaN (sign and top payload bits kept, made quiet), infinities and
 * signed zeros are kept, fp16 overflow becomes infinity and fp16 underflow becomes a subnormal or
 * zero. Widening back to fp32 is exact.
 */
public final class HalfFloats {

    private static final float[] FP16_TO_FLOAT = fp16Table();

    private HalfFloats() {
    }

    /**
     * The fp16 bits nearest to {@code f} (ties to even). Subnormal results come from one fp32 addition
     * that rounds as fp16 needs (after F. Giesen, "float_to_half_fast3_rtne").
     */
    public static short toFp16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFF_FFFF;
        if (abs >= 0x4780_0000) {
            return (short) (abs > 0x7F80_0000 ? sign | 0x7E00 | ((abs >>> 13) & 0x3FF) : sign | 0x7C00);
        }
        if (abs < 0x3880_0000) {
            return (short) (sign | (Float.floatToRawIntBits(Float.intBitsToFloat(abs) + 0.5f) - 0x3F00_0000));
        }
        int mantissaOdd = (abs >>> 13) & 1;
        return (short) (sign | ((abs + ((15 - 127) << 23) + 0xFFF + mantissaOdd) >>> 13));
    }

    /** The fp32 value of fp16 bits (exact). */
    public static float fromFp16(short h) {
        return FP16_TO_FLOAT[h & 0xFFFF];
    }

    /** The bfloat16 bits nearest to {@code f} (ties to even). */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The fp32 value of bfloat16 bits (exact). */
    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    private static float[] fp16Table() {
        float[] t = new float[1 << 16];
        for (int h = 0; h < t.length; h++) {
            t[h] = widenFp16(h);
        }
        return t;
    }

    private static float widenFp16(int h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1F;
        int mant = h & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
