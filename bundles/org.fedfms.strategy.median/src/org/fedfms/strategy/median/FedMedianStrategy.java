package org.fedfms.strategy.median;

import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.CoordinateSort;
import org.fedfms.api.strategy.CoordinateWiseRound;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * FedMedian (Yin et al., 2018): every parameter of the new global model is the median of the sites'
 * values of that parameter (the mean of the two middle values for an even number of sites), unweighted,
 * as Flower's FedMedian. Up to half of the sites minus one can send anything without moving it far.
 */
@Flower("FedMedian")
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedMedianStrategy.ID)
public class FedMedianStrategy extends StatelessStrategy<SettingsSchema.None> implements AggregationStrategy {

    static final String ID = "fedmedian";

    private static final SettingsSchema<SettingsSchema.None> SCHEMA = SettingsSchema.none("strategy " + ID);

    public FedMedianStrategy() {
        super(ID, "FedMedian: coordinate-wise median of the site models (robust to a minority of bad sites)", SCHEMA);
    }

    @Override
    protected StatelessSession.Rounds rounds(SettingsSchema.None settings) {
        return (round, global) -> new CoordinateWiseRound(round, global, FedMedianStrategy::median);
    }

    /** The median of {@code n} values per coordinate (the mean of the two middle ones for even {@code n}). */
    private static CoordinateWiseRound.Reduction median(int n) {
        int upper = n / 2;
        CoordinateSort sorter = new CoordinateSort(n);
        CoordinateSort.BlockReducer median = (n % 2 == 1)
                ? (sorted, len, out, off) -> System.arraycopy(sorted[upper], 0, out, off, len)
                : (sorted, len, out, off) -> {
                    float[] a = sorted[upper - 1];
                    float[] b = sorted[upper];
                    for (int j = 0; j < len; j++) {
                        out[off + j] = 0.5f * (a[j] + b[j]);
                    }
                };
        return (inputs, out) -> sorter.reduce(inputs, out, median);
    }
}
