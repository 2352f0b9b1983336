package org.fedfms.secagg.internal;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Shamir's t-of-n secret sharing of 32-byte secrets over the prime field of p = 2^521 - 1. A share is the value of
 * a random polynomial of degree t - 1 at a holder's index (1, 2, ...); its constant term is the secret.
 */
public final class Shamir {

    /** The field's prime, the Mersenne prime 2^521 - 1. */
    public static final BigInteger PRIME = BigInteger.ONE.shiftLeft(521).subtract(BigInteger.ONE);

    /** Bytes of one share value (521 bits). */
    public static final int SHARE_BYTES = 66;

    private Shamir() {
    }

    /** Shares of {@code secret} for the holders {@code indices} (each at least 1), any {@code threshold} of which rebuild it. */
    public static Map<Integer, BigInteger> split(byte[] secret, int threshold, List<Integer> indices,
            SecureRandom random) {
        if (threshold < 1 || threshold > indices.size()) {
            throw new IllegalArgumentException("threshold " + threshold + " is outside 1.." + indices.size());
        }
        List<BigInteger> coefficients = new ArrayList<>();
        coefficients.add(new BigInteger(1, secret));
        for (int i = 1; i < threshold; i++) {
            coefficients.add(new BigInteger(PRIME.bitLength(), random).mod(PRIME));
        }
        Map<Integer, BigInteger> shares = new TreeMap<>();
        for (int index : indices) {
            if (index < 1) {
                throw new IllegalArgumentException("a share index is at least 1, not " + index);
            }
            BigInteger x = BigInteger.valueOf(index);
            BigInteger y = BigInteger.ZERO;
            for (int i = coefficients.size() - 1; i >= 0; i--) {
                y = y.multiply(x).add(coefficients.get(i)).mod(PRIME);
            }
            shares.put(index, y);
        }
        return shares;
    }

    /**
     * The secret behind {@code shares} (index to value), rebuilt from the first {@code threshold} of them; every
     * further share must lie on the same polynomial.
     *
     * @throws IllegalArgumentException if fewer than {@code threshold} shares are given, or the shares disagree
     */
    public static byte[] combine(Map<Integer, BigInteger> shares, int threshold, int secretBytes) {
        if (shares.size() < threshold) {
            throw new IllegalArgumentException(shares.size() + " shares, fewer than the threshold " + threshold);
        }
        List<Integer> xs = new ArrayList<>(new TreeMap<>(shares).keySet());
        List<Integer> basis = xs.subList(0, threshold);
        for (int x : xs.subList(threshold, xs.size())) {
            if (!interpolate(shares, basis, x).equals(shares.get(x).mod(PRIME))) {
                throw new IllegalArgumentException("the share of holder " + x + " does not lie on the polynomial of the others");
            }
        }
        BigInteger secret = interpolate(shares, basis, 0);
        if (secret.bitLength() > secretBytes * 8) {
            throw new IllegalArgumentException("the shares rebuild a value wider than " + secretBytes + " bytes");
        }
        byte[] big = secret.toByteArray();
        byte[] out = new byte[secretBytes];
        int n = Math.min(big.length, secretBytes);
        System.arraycopy(big, big.length - n, out, secretBytes - n, n);
        return out;
    }

    /** Encodes a share value as {@link #SHARE_BYTES} big-endian bytes. */
    public static byte[] encode(BigInteger value) {
        byte[] big = value.toByteArray();
        byte[] out = new byte[SHARE_BYTES];
        int n = Math.min(big.length, SHARE_BYTES);
        System.arraycopy(big, big.length - n, out, SHARE_BYTES - n, n);
        return out;
    }

    private static BigInteger interpolate(Map<Integer, BigInteger> shares, List<Integer> basis, int at) {
        BigInteger x = BigInteger.valueOf(at);
        BigInteger sum = BigInteger.ZERO;
        for (int i : basis) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            BigInteger xi = BigInteger.valueOf(i);
            for (int j : basis) {
                if (j != i) {
                    BigInteger xj = BigInteger.valueOf(j);
                    num = num.multiply(x.subtract(xj)).mod(PRIME);
                    den = den.multiply(xi.subtract(xj)).mod(PRIME);
                }
            }
            sum = sum.add(shares.get(i).mod(PRIME).multiply(num).multiply(den.modInverse(PRIME))).mod(PRIME);
        }
        return sum;
    }
}
