package org.fedfms.secagg.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * SecAgg+'s sparse pairing: the sites are placed on a ring in an order drawn from the round's seed, and each is
 * paired with the k/2 sites before and after it (a k-regular graph); k = 0 or k at least n - 1 pairs every site with
 * every other.
 */
public final class NeighbourGraph {

    private final Map<String, Set<String>> neighbours = new HashMap<>();

    /** The graph over {@code sites} for {@code k} neighbours each, shuffled by {@code seed}. */
    public NeighbourGraph(List<String> sites, int k, long seed) {
        List<String> ring = new ArrayList<>(sites);
        Map<String, String> keys = new HashMap<>();
        for (String site : sites) {
            keys.put(site, digest(seed + "/" + site));
        }
        ring.sort(Comparator.comparing(keys::get));
        int n = ring.size();
        boolean complete = k == 0 || k >= n - 1;
        for (int p = 0; p < n; p++) {
            Set<String> set = new TreeSet<>();
            if (complete) {
                set.addAll(ring);
                set.remove(ring.get(p));
            } else {
                for (int d = 1; d <= k / 2; d++) {
                    set.add(ring.get((p + d) % n));
                    set.add(ring.get((p - d + n) % n));
                }
            }
            neighbours.put(ring.get(p), set);
        }
    }

    /** The sites paired with {@code site}. */
    public Set<String> of(String site) {
        Set<String> set = neighbours.get(site);
        if (set == null) {
            throw new IllegalArgumentException("site '" + site + "' is not in this round's roster");
        }
        return set;
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : hash) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
