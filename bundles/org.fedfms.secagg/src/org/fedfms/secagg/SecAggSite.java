package org.fedfms.secagg;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedfms.secagg.internal.FixedPoint;
import org.fedfms.secagg.internal.Hkdf;
import org.fedfms.secagg.internal.MaskGenerator;
import org.fedfms.secagg.internal.Shamir;
import org.fedfms.secagg.internal.ShareCipher;
import org.fedfms.secagg.internal.X25519;

/**
 * One site's side of one secure-aggregation round, a state object walked through the protocol's four rounds in
 * order: {@link #advertiseKeys()}, {@link #shareKeys(Roster)}, {@link #maskInput(List, List, float[], long)},
 * {@link #reveal(UnmaskRequest)}. Its secrets never leave it except as shares sealed for other sites.
 */
public final class SecAggSite {

    private final String site;
    private final SecureRandom random;
    private final byte[][] encryptionPair;
    private final byte[][] maskingPair;
    private Roster roster;
    private byte[] seed;
    private final Map<String, byte[][]> heldShares = new HashMap<>();
    private Set<String> sharers;
    private boolean revealed;

    /** A site with fresh keys for one round. */
    public SecAggSite(String site, SecureRandom random) {
        this.site = site;
        this.random = random;
        this.encryptionPair = X25519.generate();
        this.maskingPair = X25519.generate();
    }

    public String site() {
        return site;
    }

    /** Round 0: the site's public keys. */
    public KeyAdvertisement advertiseKeys() {
        return new KeyAdvertisement(site, encryptionPair[1].clone(), maskingPair[1].clone());
    }

    /**
     * Round 1: draws the self-mask seed and seals, for each neighbour, its shares of the seed and of the masking key.
     *
     * @throws SecureAggregationException if the roster lists this site with other keys than it advertised
     */
    public SharedKeys shareKeys(Roster roster) {
        expect(this.roster == null, "shared its keys already");
        KeyAdvertisement mine = roster.keys(site);
        if (!Arrays.equals(mine.encryptionKey(), encryptionPair[1]) || !Arrays.equals(mine.maskingKey(), maskingPair[1])) {
            throw new SecureAggregationException("round " + roster.round() + ": the roster lists site '" + site
                    + "' with keys it did not advertise; refusing to share");
        }
        this.roster = roster;
        this.seed = new byte[32];
        random.nextBytes(seed);
        List<Integer> indices = new ArrayList<>();
        for (String holder : roster.holders(site)) {
            indices.add(roster.index(holder));
        }
        Map<Integer, BigInteger> seedShares = Shamir.split(seed, roster.threshold(), indices, random);
        Map<Integer, BigInteger> keyShares = Shamir.split(maskingPair[0], roster.threshold(), indices, random);
        List<SealedShare> sealed = new ArrayList<>();
        for (String holder : roster.holders(site)) {
            int index = roster.index(holder);
            byte[][] pair = { Shamir.encode(seedShares.get(index)), Shamir.encode(keyShares.get(index)) };
            if (holder.equals(site)) {
                heldShares.put(site, pair);
            } else {
                byte[] secret = X25519.agree(encryptionPair[0], roster.keys(holder).encryptionKey());
                sealed.add(new SealedShare(site, holder,
                        ShareCipher.seal(secret, roster.shareContext(site, holder), concat(pair[0], pair[1]), random)));
            }
        }
        return new SharedKeys(site, sha256(seed), sealed);
    }

    /**
     * Round 2: opens the shares sealed for this site by the neighbours that shared keys, and masks the weighted update.
     *
     * @param sharers the sites whose keys the coordinator received in round 1
     * @param sealedForMe the shares those of them that are neighbours sealed for this site
     * @param values the update, in a layout every site shares
     * @param weight the update's weight (its sample count)
     * @throws SecureAggregationException if a share is missing, or a ciphertext fails its AES-GCM tag
     */
    public MaskedInput maskInput(List<String> sharers, List<SealedShare> sealedForMe, float[] values, long weight) {
        expect(roster != null && this.sharers == null, "cannot mask an input before sharing keys, or twice");
        long maxWeight = FixedPoint.MAX_TOTAL_WEIGHT / roster.sites().size();
        if (weight < 0 || weight > maxWeight) {
            throw new SecureAggregationException("round " + roster.round() + ": site '" + site + "' has weight "
                    + weight + ", outside 0.." + maxWeight + " (the fixed-point ring's bound for "
                    + roster.sites().size() + " sites)");
        }
        Set<String> set = new HashSet<>(sharers);
        expect(set.contains(site), "is not among the sites that shared keys");
        Map<String, SealedShare> byFrom = new HashMap<>();
        for (SealedShare s : sealedForMe) {
            if (!s.to().equals(site) || byFrom.put(s.from(), s) != null) {
                throw new SecureAggregationException("round " + roster.round() + ": site '" + site
                        + "' got a share addressed to '" + s.to() + "' or a second share from '" + s.from() + "'");
            }
        }
        for (String neighbour : roster.neighbours(site)) {
            if (!set.contains(neighbour)) {
                continue;
            }
            SealedShare s = byFrom.get(neighbour);
            if (s == null) {
                throw new SecureAggregationException("round " + roster.round() + ": site '" + site
                        + "' got no share from its neighbour '" + neighbour + "', which did share keys");
            }
            heldShares.put(neighbour, open(s));
        }
        this.sharers = set;
        long[] vector = FixedPoint.encode(values, weight);
        MaskGenerator.apply(seed, 1, vector);
        for (String neighbour : roster.neighbours(site)) {
            if (set.contains(neighbour)) {
                byte[] pairSeed = Hkdf.derive(X25519.agree(maskingPair[0], roster.keys(neighbour).maskingKey()),
                        roster.maskContext(), 32);
                MaskGenerator.apply(pairSeed, roster.index(site) < roster.index(neighbour) ? 1 : -1, vector);
            }
        }
        return new MaskedInput(site, vector);
    }

    /**
     * Round 3: reveals the seed shares of surviving neighbours and the key shares of dropped ones, once.
     *
     * @throws SecureAggregationException if the request asks for both shares of a site, names sites that never
     *         shared keys, has fewer survivors than the threshold, or comes a second time
     */
    public ShareReveal reveal(UnmaskRequest request) {
        expect(sharers != null && !revealed, "cannot reveal shares before masking its input, or twice");
        int round = roster.round();
        if (request.round() != round) {
            throw new SecureAggregationException("site '" + site + "' is in round " + round
                    + " but was asked to unmask round " + request.round());
        }
        Set<String> survivors = new HashSet<>(request.survivors());
        Set<String> dropped = new HashSet<>(request.dropped());
        for (String s : request.dropped()) {
            if (survivors.contains(s)) {
                throw new SecureAggregationException("round " + round + ": site '" + site + "' refuses to unmask: '"
                        + s + "' is named both survivor and dropped (that would reveal its update)");
            }
        }
        Set<String> all = new HashSet<>(survivors);
        all.addAll(dropped);
        if (!sharers.containsAll(all) || !survivors.contains(site)) {
            throw new SecureAggregationException("round " + round + ": site '" + site
                    + "' refuses to unmask: the request names sites that did not share keys, or not this site");
        }
        if (survivors.size() < roster.threshold()) {
            throw new SecureAggregationException("round " + round + ": only " + survivors.size()
                    + " masked inputs arrived, fewer than the threshold " + roster.threshold());
        }
        revealed = true;
        Map<String, byte[]> seedShares = new HashMap<>();
        Map<String, byte[]> keyShares = new HashMap<>();
        heldShares.forEach((owner, pair) -> {
            if (survivors.contains(owner)) {
                seedShares.put(owner, pair[0]);
            } else if (dropped.contains(owner)) {
                keyShares.put(owner, pair[1]);
            }
        });
        return new ShareReveal(site, seedShares, keyShares);
    }

    private byte[][] open(SealedShare s) {
        byte[] secret = X25519.agree(encryptionPair[0], roster.keys(s.from()).encryptionKey());
        byte[] plain;
        try {
            plain = ShareCipher.open(secret, roster.shareContext(s.from(), site), s.ciphertext());
        } catch (IllegalArgumentException e) {
            throw new SecureAggregationException("round " + roster.round() + ": site '" + site
                    + "' cannot open the share sealed by '" + s.from() + "': " + e.getMessage(), e);
        }
        if (plain.length != 2 * Shamir.SHARE_BYTES) {
            throw new SecureAggregationException("round " + roster.round() + ": the share from '" + s.from()
                    + "' has " + plain.length + " bytes, not " + 2 * Shamir.SHARE_BYTES);
        }
        return new byte[][] { Arrays.copyOfRange(plain, 0, Shamir.SHARE_BYTES),
                Arrays.copyOfRange(plain, Shamir.SHARE_BYTES, plain.length) };
    }

    private void expect(boolean condition, String what) {
        if (!condition) {
            throw new SecureAggregationException("site '" + site + "' " + what);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
