package org.fedfms.data;

import org.fedfms.api.settings.Setting;

/**
 * How a dataset is partitioned into sites and split per site, declared once for every loader: a
 * loader's settings record holds one component of this type, which the settings schema flattens into
 * settings of their own ({@code partition=iid}, {@code validationFraction=0.1}, ...).
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
public record SplitSettings(
        @Setting(description = "natural sites, or all samples pooled and dealt IID or by a Dirichlet(alpha)")
        Partition partition,
        @Setting(description = "sites of a pooled partition (0: as many as natural sites)", min = 0, max = 1000)
        int partitionSites,
        @Setting(description = "Dirichlet concentration: small values skew classes and sizes per site",
                min = 1e-3, max = 1e6)
        double dirichletAlpha,
        @Setting(description = "share of each site's cases (or samples: images, slices) for validation", min = 0,
                max = 0.9)
        double validationFraction,
        @Setting(description = "share of each site's cases (or samples: images, slices) for testing", min = 0,
                max = 0.9)
        double testFraction,
        @Setting(description = "whether splits move single samples (images, slices) or whole cases")
        SplitUnit splitBy,
        @Setting(description = "a site that is test-only (leave-one-site-out); empty for none")
        String holdOutSite,
        @Setting(description = "seed of every random choice (partitions, splits, generated images)")
        long seed) {

    /**
     * The defaults every loader starts from: natural sites, 10 % validation, 20 % test, by case, seed 42
     * (alpha 0.5 for a Dirichlet partition).
     */
    public static final SplitSettings DEFAULTS = new SplitSettings(Partition.NATURAL, 0, 0.5, 0.1, 0.2, SplitUnit.CASE,
            "", 42L);

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
