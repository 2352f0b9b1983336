package org.fedfms.data;

/**
 * How a dataset is partitioned into sites and split per site; every loader's settings record
 * carries these components and hands them over as this record.
 *
 * @param partition natural sites, or a pooled IID or Dirichlet partition
 * @param partitionSites number of sites of a pooled partition (0: as many as natural sites)
 * @param dirichletAlpha concentration of the Dirichlet partition: small skews classes and site sizes
 * @param validationFraction share of each site's units held out for validation
 * @param testFraction share of each site's units held out for testing
 * @param splitBy whether splits move images or whole cases
 * @param holdOutSite a site that is test-only (leave-one-site-out); empty for none
 * @param seed seed of every random choice; the same seed gives the same partition and splits
 */
public record SplitSettings(Partition partition, int partitionSites, double dirichletAlpha,
        double validationFraction, double testFraction, SplitUnit splitBy, String holdOutSite, long seed) {

    public SplitSettings {
        if (partition == null || splitBy == null) {
            throw new IllegalArgumentException("partition and splitBy must be given");
        }
        holdOutSite = holdOutSite == null ? "" : holdOutSite.trim();
        if (partitionSites < 0) {
            throw new IllegalArgumentException("partitionSites must be >= 0, got " + partitionSites);
        }
        if (!(dirichletAlpha > 0) || Double.isInfinite(dirichletAlpha)) {
            throw new IllegalArgumentException("dirichletAlpha must be > 0, got " + dirichletAlpha);
        }
        if (!(validationFraction >= 0 && testFraction >= 0 && validationFraction + testFraction < 1)) {
            throw new IllegalArgumentException("validationFraction (" + validationFraction + ") and testFraction ("
                    + testFraction + ") must be >= 0 and leave something to train on (sum < 1)");
        }
    }

    /** Natural sites, split by {@code splitBy}, no site held out. */
    public static SplitSettings natural(double validationFraction, double testFraction, SplitUnit splitBy, long seed) {
        return new SplitSettings(Partition.NATURAL, 0, 1.0, validationFraction, testFraction, splitBy, "", seed);
    }
}
