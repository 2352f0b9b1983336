package org.fedfms.secagg;

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

    /** Text form: {@code threshold=T,neighbours=K}. */
    @Override
    public String toString() {
        return "threshold=" + threshold + ",neighbours=" + neighbours;
    }
}
