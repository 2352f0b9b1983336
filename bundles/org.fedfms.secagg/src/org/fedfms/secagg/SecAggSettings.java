package org.fedfms.secagg;

import java.util.Locale;
import java.util.Optional;

/**
 * Settings of secure aggregation.
 *
 * @param threshold how many share holders must answer to unmask a site (its neighbours and itself); 0 = more than
 *        half of them, the least that keeps a coordinator from unmasking a site both ways
 * @param neighbours k of SecAgg+'s k-regular pairing graph (even, at least 2); 0 pairs every site with every other
 */
public record SecAggSettings(int threshold, int neighbours) {

    /** Every site paired with every other, threshold more than half. */
    public static final SecAggSettings DEFAULT = new SecAggSettings(0, 0);

    /**
     * Checks the settings alone (not yet against a number of sites).
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public SecAggSettings {
        if (threshold < 0) {
            throw new IllegalArgumentException("secure aggregation threshold " + threshold + " is negative; 0 = default");
        }
        if (neighbours < 0 || neighbours == 1 || neighbours % 2 != 0) {
            throw new IllegalArgumentException("secure aggregation neighbours " + neighbours
                    + " must be 0 (all pairs) or an even number of at least 2");
        }
    }

    /** How many sites hold shares of each site's secrets (its neighbours and itself) among {@code sites}. */
    public int holders(int sites) {
        return neighbours == 0 || neighbours >= sites - 1 ? sites : neighbours + 1;
    }

    /**
     * The threshold in force for {@code sites} sites.
     *
     * @throws SecureAggregationException if the threshold does not fit the number of sites
     */
    public int threshold(int sites) {
        int holders = holders(sites);
        int t = threshold == 0 ? holders / 2 + 1 : threshold;
        if (t > holders) {
            throw new SecureAggregationException("secure aggregation threshold " + t + " exceeds the " + holders
                    + " share holders of each site (" + sites + " sites, neighbours " + neighbours
                    + "): lower --secure-aggregation threshold or add sites");
        }
        if (2 * t <= holders) {
            throw new SecureAggregationException("secure aggregation threshold " + t + " is at most half of the "
                    + holders + " share holders of each site: a coordinator could rebuild both masks of a site;"
                    + " use at least " + (holders / 2 + 1));
        }
        return t;
    }

    /**
     * The settings {@code text} gives: empty, {@code off} or {@code false} for none (secure aggregation off);
     * {@code on} or {@code true} for {@link #DEFAULT}; else {@code threshold=T,neighbours=K} (either may be left out).
     *
     * @throws IllegalArgumentException naming what is wrong in the text
     */
    public static Optional<SecAggSettings> parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("off") || t.equals("false")) {
            return Optional.empty();
        }
        if (t.equals("on") || t.equals("true")) {
            return Optional.of(DEFAULT);
        }
        int threshold = 0;
        int neighbours = 0;
        for (String part : t.split(",")) {
            String[] kv = part.split("=", 2);
            String key = kv[0].strip();
            if (kv.length != 2 || !(key.equals("threshold") || key.equals("neighbours"))) {
                throw new IllegalArgumentException("secure aggregation '" + text
                        + "': expected on, off or threshold=T,neighbours=K, not '" + part.strip() + "'");
            }
            try {
                int value = Integer.parseInt(kv[1].strip());
                if (key.equals("threshold")) {
                    threshold = value;
                } else {
                    neighbours = value;
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("secure aggregation '" + text + "': " + key + " '" + kv[1].strip()
                        + "' is not a whole number");
            }
        }
        return Optional.of(new SecAggSettings(threshold, neighbours));
    }

    /** Text form: {@code threshold=T,neighbours=K}. */
    @Override
    public String toString() {
        return "threshold=" + threshold + ",neighbours=" + neighbours;
    }
}
