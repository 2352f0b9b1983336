package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.fedfms.wire.WireDtype;
import org.fedfms.api.io.HalfFloats;
import org.junit.jupiter.api.Test;

/** The fp16 and bf16 conversions against brute-force round-to-nearest-even references. */
class HalfPrecisionTest {

    /** Every finite non-negative fp16 value, ascending (bit patterns 0x0000..0x7BFF). */
    private static double[] positiveFp16() {
        double[] v = new double[0x7C00];
        for (int h = 0; h < v.length; h++) {
            v[h] = HalfFloats.fromFp16((short) h);
        }
        return v;
    }

    /** Nearest fp16 by search over all values, ties to the even bit pattern, overflow to infinity. */
    private static float referenceFp16(double[] table, float f) {
        double a = Math.abs((double) f);
        double max = table[table.length - 1];
        double overflow = max + 16; // half an ulp above the largest fp16 (ulp 32 there)
        float r;
        if (a >= overflow) {
            r = Float.POSITIVE_INFINITY;
        } else if (a > max) {
            r = (float) max;
        } else {
            int i = Arrays.binarySearch(table, a);
            if (i >= 0) {
                r = (float) table[i];
            } else {
                int hi = -i - 1;
                int lo = hi - 1;
                double dl = a - table[lo];
                double dh = table[hi] - a;
                int pick = dl < dh ? lo : dh < dl ? hi : (lo % 2 == 0 ? lo : hi);
                r = (float) table[pick];
            }
        }
        return Math.copySign(r, f);
    }

    @Test
    void fp16IsExactOnEveryRepresentableValue() {
        for (int h = 0; h < 1 << 16; h++) {
            float f = HalfFloats.fromFp16((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.fromFp16(HalfFloats.toFp16(f))), Integer.toHexString(h));
            } else {
                assertEquals(h, HalfFloats.toFp16(f) & 0xFFFF, "fp16 bits " + Integer.toHexString(h));
            }
        }
    }

    @Test
    void bf16IsExactOnEveryRepresentableValue() {
        for (int b = 0; b < 1 << 16; b++) {
            float f = HalfFloats.fromBf16((short) b);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.fromBf16(HalfFloats.toBf16(f))), Integer.toHexString(b));
            } else {
                assertEquals(b, HalfFloats.toBf16(f) & 0xFFFF, "bf16 bits " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void fp16RoundsToNearestEvenLikeABruteForceSearch() {
        double[] table = positiveFp16();
        Random rnd = new Random(11);
        for (int i = 0; i < 200_000; i++) {
            float f = switch (i % 4) {
                case 0 -> (float) (rnd.nextGaussian() * 0.05);
                case 1 -> Float.intBitsToFloat(rnd.nextInt());
                case 2 -> (float) (rnd.nextDouble() * 70_000 - 35_000);
                default -> (float) (rnd.nextGaussian() * 1e-6);
            };
            if (Float.isNaN(f)) {
                continue;
            }
            float expected = referenceFp16(table, f);
            float actual = WireDtype.FP16.roundTrip(f);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                    "fp16 of " + f + " (bits " + Integer.toHexString(Float.floatToRawIntBits(f)) + "): expected "
                            + expected + ", got " + actual);
        }
    }

    @Test
    void fp16TiesGoToEvenAndOverflowGoesToInfinity() {
        float ulpAt1 = 0x1p-10f;
        assertEquals(1f, WireDtype.FP16.roundTrip(1f + ulpAt1 / 2));
        assertEquals(1f + 2 * ulpAt1, WireDtype.FP16.roundTrip(1f + 3 * ulpAt1 / 2));
        assertEquals(65504f, WireDtype.FP16.roundTrip(65519.996f));
        assertEquals(Float.POSITIVE_INFINITY, WireDtype.FP16.roundTrip(65520f));
        assertEquals(Float.NEGATIVE_INFINITY, WireDtype.FP16.roundTrip(-1e10f));
        assertEquals(0x1p-24f, WireDtype.FP16.roundTrip(0x1p-24f));
        assertEquals(0f, WireDtype.FP16.roundTrip(0x1p-25f));
        assertEquals(0x1p-24f, WireDtype.FP16.roundTrip(0x1.000002p-25f));
        assertEquals(0x1p-14f - 0x1p-24f, WireDtype.FP16.roundTrip(0x1p-14f - 0x1p-24f), "largest subnormal");
        assertEquals(0x1p-14f, WireDtype.FP16.roundTrip(0x1p-14f - 0x1p-25f), "ties up into the normals");
    }

    @Test
    void bf16RoundsToNearestEven() {
        Random rnd = new Random(12);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(f)) {
                continue;
            }
            int bits = Float.floatToRawIntBits(f);
            float down = Float.intBitsToFloat(bits & 0xFFFF_0000);
            float up = Float.intBitsToFloat((bits & 0xFFFF_0000) + 0x1_0000);
            double dd = Math.abs((double) f - down);
            double du = Float.isInfinite(up) ? Math.abs((double) f - Math.copySign(0x1p128, f))
                    : Math.abs((double) up - f);
            float expected = dd < du ? down : du < dd ? up : (((bits >>> 16) & 1) == 0 ? down : up);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(WireDtype.BF16.roundTrip(f)),
                    "bf16 of " + f);
        }
        assertEquals(1f, WireDtype.BF16.roundTrip(1f + 0x1p-8f), "tie to even (down)");
        assertEquals(1f + 0x1p-6f, WireDtype.BF16.roundTrip(1f + 3 * 0x1p-8f), "tie to even (up)");
        assertEquals(Float.POSITIVE_INFINITY, WireDtype.BF16.roundTrip(Float.MAX_VALUE));
    }

    @Test
    void specialValuesArePreserved() {
        for (WireDtype d : WireDtype.values()) {
            assertTrue(Float.isNaN(d.roundTrip(Float.NaN)), d.toString());
            assertTrue(Float.isNaN(d.roundTrip(Float.intBitsToFloat(0x7F80_0001))), d + " signalling NaN");
            assertTrue(Float.isNaN(d.roundTrip(Float.intBitsToFloat(0xFFC0_0000))), d + " negative NaN");
            assertEquals(Float.POSITIVE_INFINITY, d.roundTrip(Float.POSITIVE_INFINITY), d.toString());
            assertEquals(Float.NEGATIVE_INFINITY, d.roundTrip(Float.NEGATIVE_INFINITY), d.toString());
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(d.roundTrip(-0f)), d + " -0");
            assertEquals(0, Float.floatToRawIntBits(d.roundTrip(0f)), d + " +0");
        }
    }

    @Test
    void relativeErrorIsWithinHalfAnUlpOfTheFormat() {
        Random rnd = new Random(13);
        for (int i = 0; i < 100_000; i++) {
            float f = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(8) - 4));
            if (Math.abs(f) >= 0x1p-14f && Math.abs(f) < 65504f) {
                assertTrue(Math.abs(WireDtype.FP16.roundTrip(f) - f) <= Math.abs(f) * 0x1p-11, "fp16 " + f);
            }
            if (f != 0) {
                assertTrue(Math.abs(WireDtype.BF16.roundTrip(f) - f) <= Math.abs(f) * 0x1p-8, "bf16 " + f);
            }
        }
    }
}
