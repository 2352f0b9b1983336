package org.fedfms.strategy.trimmedmean;

import java.util.List;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.CoordinateSort;
import org.fedfms.api.strategy.CoordinateWiseRound;
import org.fedfms.api.strategy.Flower;
import org.fedfms.api.strategy.StatelessSession;
import org.fedfms.api.strategy.StatelessStrategy;
import org.osgi.service.component.annotations.Component;

/**
 * Coordinate-wise trimmed mean (Yin et al., 2018), as Flower's FedTrimmedAvg and SciPy's
 * {@code trim_mean}: for every parameter the sites' values are sorted, {@code floor(beta·n)} are cut
 * at each end and the rest are averaged, unweighted. The default beta 0.2 is Flower's: it cuts one value at
 * each end from 5 sites on, and below 5 sites nothing (the plain mean).
 */
@Flower(value = "FedTrimmedAvg", parameters = {"beta=beta"})
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + TrimmedMeanStrategy.ID)
public class TrimmedMeanStrategy extends StatelessStrategy<TrimmedMeanStrategy.Settings>
        implements AggregationStrategy {

    static final String ID = "trimmedmean";

    /** Trimmed mean's settings. */
    public record Settings(
            @Setting(description = "fraction of the round's n sites cut at each end of every coordinate, below 0.5: "
                    + "floor(beta*n) values each end (beta 0.2 cuts none below 5 sites, 1 at 5-9, 2 at 10-14; "
                    + "none cut is the plain mean; below 0.5 so that some values remain)", min = 0, max = 0.5,
                    maxExclusive = true)
            double beta) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(0.2));

    public TrimmedMeanStrategy() {
        super(ID, "Trimmed mean: per coordinate, cut floor(beta*n) of the n sites' largest and smallest values, "
                + "average the rest", SCHEMA);
    }

    @Override
    protected StatelessSession.Rounds rounds(Settings s) {
        return (round, global) -> new CoordinateWiseRound(round, global, n -> trimmedMean(n, s.beta()));
    }

    /** The mean of {@code n} values per coordinate after cutting {@code floor(beta·n)} at each end. */
    private static CoordinateWiseRound.Reduction trimmedMean(int n, double beta) {
        int cut = (int) Math.floor(beta * n);
        int kept = n - 2 * cut;
        float inv = 1f / kept;
        if (cut == 0) {
            return (inputs, out) -> mean(inputs, out, inv);
        }
        CoordinateSort sorter = new CoordinateSort(n);
        return (inputs, out) -> sorter.reduce(inputs, out, (sorted, len, o, off) -> {
            for (int j = 0; j < len; j++) {
                o[off + j] = sorted[cut][j];
            }
            for (int i = cut + 1; i < cut + kept; i++) {
                float[] row = sorted[i];
                for (int j = 0; j < len; j++) {
                    o[off + j] += row[j];
                }
            }
            for (int j = 0; j < len; j++) {
                o[off + j] *= inv;
            }
        });
    }

    /** Nothing is cut: the plain mean, without sorting. */
    private static void mean(List<float[]> inputs, float[] out, float inv) {
        for (float[] x : inputs) {
            for (int k = 0; k < out.length; k++) {
                out[k] += x[k];
            }
        }
        for (int k = 0; k < out.length; k++) {
            out[k] *= inv;
        }
    }
}
