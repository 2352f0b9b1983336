package org.fedfms.secagg;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.fedfms.secagg.internal.FixedPoint;
import org.fedfms.secagg.internal.Hkdf;
import org.fedfms.secagg.internal.MaskGenerator;
import org.fedfms.secagg.internal.Shamir;
import org.fedfms.secagg.internal.X25519;

/**
 * The coordinator's side of one secure-aggregation round: it routes keys and sealed shares, adds up masked inputs and
 * removes the masks with the shares the survivors reveal. It never holds an update in the clear, only masked vectors
 * and their unmasked sum. Walk it in order: {@link #roster(List)}, {@link #route(List)},
 * {@link #unmaskRequest(List)}, {@link #finish(List)}.
 */
public final class SecAggCoordinator {

    private final int round;
    private final SecAggSettings settings;
    private final SecureRandom random;
    private Roster roster;
    private final Map<String, byte[]> commitments = new LinkedHashMap<>();
    private long[] sum;
    private List<String> survivors;
    private List<String> dropped;

    public SecAggCoordinator(int round, SecAggSettings settings, SecureRandom random) {
        this.round = round;
        this.settings = settings;
        this.random = random;
    }

    /** After round 0: the roster of the sites whose keys arrived. */
    public Roster roster(List<KeyAdvertisement> advertisements) {
        expect(roster == null, "has a roster already");
        if (advertisements.size() < 2) {
            throw new SecureAggregationException("round " + round + ": secure aggregation needs at least 2 sites, "
                    + advertisements.size() + " advertised keys");
        }
        roster = new Roster(round, advertisements, settings, random.nextLong());
        return roster;
    }

    /**
     * After round 1: the sealed shares for each recipient, from the sites whose shares arrived.
     *
     * @throws SecureAggregationException if fewer sites shared keys than the threshold, or a site's shares are not
     *         addressed to exactly its neighbours
     */
    public Map<String, List<SealedShare>> route(List<SharedKeys> shared) {
        expect(roster != null && commitments.isEmpty(), "routes shares once, after the roster");
        Map<String, List<SealedShare>> byRecipient = new TreeMap<>();
        for (SharedKeys keys : shared) {
            Set<String> expected = roster.neighbours(keys.site());
            Set<String> seen = new java.util.HashSet<>();
            for (SealedShare s : keys.shares()) {
                if (!s.from().equals(keys.site()) || !expected.contains(s.to()) || !seen.add(s.to())) {
                    throw new SecureAggregationException("round " + round + ": site '" + keys.site()
                            + "' sent a share from '" + s.from() + "' to '" + s.to()
                            + "', which is not one per neighbour");
                }
                byRecipient.computeIfAbsent(s.to(), k -> new ArrayList<>()).add(s);
            }
            if (!seen.equals(expected) || keys.seedCommitment() == null || keys.seedCommitment().length != 32) {
                throw new SecureAggregationException("round " + round + ": site '" + keys.site()
                        + "' did not send one share per neighbour and a 32-byte seed commitment");
            }
            if (commitments.put(keys.site(), keys.seedCommitment().clone()) != null) {
                throw new SecureAggregationException("round " + round + ": site '" + keys.site() + "' shared keys twice");
            }
        }
        if (commitments.size() < roster.threshold()) {
            throw new SecureAggregationException("round " + round + ": only " + commitments.size()
                    + " sites shared keys, fewer than the threshold " + roster.threshold());
        }
        byRecipient.keySet().retainAll(commitments.keySet());
        return byRecipient;
    }

    /** The sites whose shares arrived in round 1, in index order. */
    public List<String> sharers() {
        return List.copyOf(commitments.keySet());
    }

    /**
     * After round 2: adds up the masked inputs and names who survived and who dropped out.
     *
     * @throws SecureAggregationException if fewer inputs arrived than the threshold, or their lengths differ
     */
    public UnmaskRequest unmaskRequest(List<MaskedInput> inputs) {
        expect(!commitments.isEmpty() && sum == null, "asks for unmasking once, after routing shares");
        Map<String, MaskedInput> bySite = new TreeMap<>();
        for (MaskedInput in : inputs) {
            if (!commitments.containsKey(in.site()) || bySite.put(in.site(), in) != null) {
                throw new SecureAggregationException("round " + round + ": a masked input from '" + in.site()
                        + "', which did not share keys or sent twice");
            }
        }
        if (bySite.size() < roster.threshold()) {
            throw new SecureAggregationException("round " + round + ": only " + bySite.size()
                    + " masked inputs arrived, fewer than the threshold " + roster.threshold()
                    + "; the sum cannot be unmasked");
        }
        for (MaskedInput in : bySite.values()) {
            if (sum == null) {
                sum = new long[in.values().length];
            } else if (in.values().length != sum.length) {
                throw new SecureAggregationException("round " + round + ": the masked input of '" + in.site()
                        + "' has " + in.values().length + " values, the others " + sum.length);
            }
            long[] v = in.values();
            for (int i = 0; i < v.length; i++) {
                sum[i] += v[i];
            }
        }
        survivors = List.copyOf(bySite.keySet());
        List<String> gone = new ArrayList<>(commitments.keySet());
        gone.removeAll(survivors);
        dropped = List.copyOf(gone);
        return new UnmaskRequest(round, survivors, dropped);
    }

    /**
     * After round 3: rebuilds the survivors' self-mask seeds and the dropped sites' masking keys from the revealed
     * shares, removes every mask from the sum and returns the weighted mean.
     *
     * @throws SecureAggregationException if a secret has fewer shares than the threshold, or the shares rebuild a
     *         seed or key that does not match what its site committed to (a tampered share)
     */
    public SecureSum finish(List<ShareReveal> reveals) {
        expect(sum != null && survivors != null, "finishes after the masked inputs");
        Map<String, Map<Integer, BigInteger>> seedShares = new HashMap<>();
        Map<String, Map<Integer, BigInteger>> keyShares = new HashMap<>();
        for (ShareReveal r : reveals) {
            if (!survivors.contains(r.site())) {
                continue;
            }
            int index = roster.index(r.site());
            collect(r.site(), index, r.seedShares(), survivors, seedShares);
            collect(r.site(), index, r.keyShares(), dropped, keyShares);
        }
        long[] result = sum.clone();
        for (String s : survivors) {
            byte[] seed = rebuild(s, "self-mask seed", seedShares);
            if (!MessageDigest.isEqual(SecAggSite.sha256(seed), commitments.get(s))) {
                throw new SecureAggregationException("round " + round + ": the self-mask seed of site '" + s
                        + "' rebuilt from the revealed shares does not match its commitment: a share was altered");
            }
            MaskGenerator.apply(seed, -1, result);
        }
        for (String d : dropped) {
            byte[] key = rebuild(d, "masking key", keyShares);
            if (!MessageDigest.isEqual(X25519.publicKey(key), roster.keys(d).maskingKey())) {
                throw new SecureAggregationException("round " + round + ": the masking key of dropped site '" + d
                        + "' rebuilt from the revealed shares does not match its public key: a share was altered");
            }
            for (String v : roster.neighbours(d)) {
                if (survivors.contains(v)) {
                    byte[] pairSeed = Hkdf.derive(X25519.agree(key, roster.keys(v).maskingKey()),
                            roster.maskContext(), 32);
                    MaskGenerator.apply(pairSeed, roster.index(v) < roster.index(d) ? -1 : 1, result);
                }
            }
        }
        long weight = result[result.length - 1];
        if (weight <= 0 || weight > FixedPoint.MAX_TOTAL_WEIGHT) {
            throw new SecureAggregationException("round " + round + ": the unmasked total weight " + weight
                    + " is outside 1.." + FixedPoint.MAX_TOTAL_WEIGHT + "; the sum is not usable");
        }
        return new SecureSum(FixedPoint.mean(result), weight, survivors, dropped);
    }

    private void collect(String holder, int index, Map<String, byte[]> shares, List<String> allowed,
            Map<String, Map<Integer, BigInteger>> into) {
        shares.forEach((owner, share) -> {
            if (allowed.contains(owner) && roster.holders(owner).contains(holder)) {
                if (share.length != Shamir.SHARE_BYTES) {
                    throw new SecureAggregationException("round " + round + ": site '" + holder
                            + "' revealed a share of '" + owner + "' of " + share.length + " bytes");
                }
                into.computeIfAbsent(owner, k -> new TreeMap<>()).put(index, new BigInteger(1, share));
            }
        });
    }

    private byte[] rebuild(String owner, String what, Map<String, Map<Integer, BigInteger>> shares) {
        Map<Integer, BigInteger> held = shares.getOrDefault(owner, Map.of());
        if (held.size() < roster.threshold()) {
            throw new SecureAggregationException("round " + round + ": only " + held.size() + " shares of the " + what
                    + " of site '" + owner + "' were revealed, fewer than the threshold " + roster.threshold()
                    + "; the sum cannot be unmasked");
        }
        try {
            return Shamir.combine(held, roster.threshold(), 32);
        } catch (IllegalArgumentException e) {
            throw new SecureAggregationException("round " + round + ": the revealed shares of the " + what
                    + " of site '" + owner + "' are inconsistent (" + e.getMessage() + "): a share was altered", e);
        }
    }

    private void expect(boolean condition, String what) {
        if (!condition) {
            throw new SecureAggregationException("round " + round + ": the coordinator " + what);
        }
    }
}
