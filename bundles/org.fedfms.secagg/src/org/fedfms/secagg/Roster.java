package org.fedfms.secagg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.fedfms.secagg.internal.NeighbourGraph;

/**
 * What the coordinator broadcasts after round 0: every site's public keys, the settings, and the seed of the
 * pairing graph. Sites are indexed 1..n in the order of their ids; a site's shares are held by its neighbours and
 * itself.
 */
public final class Roster {

    private final int round;
    private final Map<String, KeyAdvertisement> keys = new LinkedHashMap<>();
    private final SecAggSettings settings;
    private final long graphSeed;
    private final NeighbourGraph graph;
    private final int threshold;

    /**
     * @throws SecureAggregationException if a site appears twice, a key is malformed or reused, or the settings do
     *         not fit the number of sites
     */
    public Roster(int round, List<KeyAdvertisement> advertisements, SecAggSettings settings, long graphSeed) {
        this.round = round;
        this.settings = settings;
        this.graphSeed = graphSeed;
        List<KeyAdvertisement> sorted = new ArrayList<>(advertisements);
        sorted.sort(Comparator.comparing(KeyAdvertisement::site));
        Set<String> seenKeys = new HashSet<>();
        for (KeyAdvertisement a : sorted) {
            if (a.encryptionKey() == null || a.encryptionKey().length != 32 || a.maskingKey() == null
                    || a.maskingKey().length != 32) {
                throw new SecureAggregationException("round " + round + ": site '" + a.site()
                        + "' advertised a public key that is not 32 bytes");
            }
            if (!seenKeys.add(Arrays.toString(a.encryptionKey())) || !seenKeys.add(Arrays.toString(a.maskingKey()))) {
                throw new SecureAggregationException("round " + round + ": site '" + a.site()
                        + "' advertised a public key another site (or itself) already uses");
            }
            if (keys.put(a.site(), a) != null) {
                throw new SecureAggregationException("round " + round + ": site '" + a.site() + "' advertised keys twice");
            }
        }
        this.threshold = settings.threshold(sorted.size());
        this.graph = new NeighbourGraph(List.copyOf(keys.keySet()), settings.neighbours(), graphSeed);
    }

    public int round() {
        return round;
    }

    public SecAggSettings settings() {
        return settings;
    }

    public long graphSeed() {
        return graphSeed;
    }

    /** The advertisements in site order. */
    public List<KeyAdvertisement> advertisements() {
        return List.copyOf(keys.values());
    }

    /** The sites in index order. */
    public List<String> sites() {
        return List.copyOf(keys.keySet());
    }

    /** The number of share holders that must answer to unmask a site. */
    public int threshold() {
        return threshold;
    }

    /** The site's Shamir index, 1..n. */
    public int index(String site) {
        int i = 1;
        for (String s : keys.keySet()) {
            if (s.equals(site)) {
                return i;
            }
            i++;
        }
        throw new SecureAggregationException("round " + round + ": site '" + site + "' is not in the roster");
    }

    /** The keys of {@code site}. */
    public KeyAdvertisement keys(String site) {
        KeyAdvertisement a = keys.get(site);
        if (a == null) {
            throw new SecureAggregationException("round " + round + ": site '" + site + "' is not in the roster");
        }
        return a;
    }

    /** The sites paired with {@code site}. */
    public Set<String> neighbours(String site) {
        keys(site);
        return graph.of(site);
    }

    /** The sites holding shares of {@code site}'s secrets: its neighbours and itself. */
    public Set<String> holders(String site) {
        Set<String> set = new TreeSet<>(neighbours(site));
        set.add(site);
        return set;
    }

    /** Associated data binding a sealed share to this round and pair. */
    String shareContext(String from, String to) {
        return "fedfms-secagg/round " + round + "/graph " + graphSeed + "/from " + from + "/to " + to;
    }

    /** HKDF info of the pairwise masks of this round. */
    String maskContext() {
        return "fedfms secagg pairwise mask/round " + round + "/graph " + graphSeed;
    }
}
