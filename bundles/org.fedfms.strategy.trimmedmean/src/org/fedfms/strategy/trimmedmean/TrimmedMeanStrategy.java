package org.fedfms.strategy.trimmedmean;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.CoordinateSort;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.UpdateCheck;
import org.osgi.service.component.annotations.Component;

/**
 * Coordinate-wise trimmed mean (Yin et al., 2018), as Flower's FedTrimmedAvg and SciPy's
 * {@code trim_mean}: for every parameter the sites' values are sorted, {@code floor(beta·n)} are cut
 * at each end and the rest are averaged, unweighted.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + TrimmedMeanStrategy.ID)
public class TrimmedMeanStrategy implements AggregationStrategy {

    static final String ID = "trimmedmean";

    /** Trimmed mean's settings. */
    public record Settings(
            @Setting(description = "fraction of the sites cut at each end of every coordinate, below 0.5 "
                    + "(floor(beta*n) sites each)", min = 0, max = 0.5)
            double beta) {

        public Settings {
            if (!(beta < 0.5)) {
                throw new IllegalArgumentException("beta must be below 0.5 so that some values remain, got " + beta);
            }
        }
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(0.1));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "Trimmed mean: per coordinate, cut the beta fraction of largest and smallest site values, "
                + "average the rest";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        Settings s = SCHEMA.bind(settings);
        return new StrategySession() {
            @Override
            public String strategyId() {
                return ID;
            }

            @Override
            public Map<String, Object> settings() {
                return SCHEMA.toMap(s);
            }

            @Override
            public RoundAggregator beginRound(int round, ParameterSet global) {
                return new TrimmedRound(round, global, s.beta());
            }
        };
    }

    /** Holds the round's updates (references, not copies) until {@link #finish}. */
    private static final class TrimmedRound implements RoundAggregator {
        private final int round;
        private final ParameterSet global;
        private final double beta;
        private final Map<String, FitResult> results = new LinkedHashMap<>();

        TrimmedRound(int round, ParameterSet global, double beta) {
            this.round = round;
            this.global = global;
            this.beta = beta;
        }

        @Override
        public void accept(FitResult result) {
            UpdateCheck.check(global, result);
            if (results.containsKey(result.siteId())) {
                throw new AggregationException("site " + result.siteId() + ": a second update in round " + round
                        + "; only the first one counts");
            }
            results.put(result.siteId(), result);
        }

        @Override
        public int accepted() {
            return results.size();
        }

        @Override
        public ParameterSet finish(List<SiteFailure> failures) {
            if (results.isEmpty()) {
                throw new AggregationException("round " + round + ": no site delivered a usable update");
            }
            List<FitResult> sites = new ArrayList<>(results.values());
            sites.sort(Comparator.comparing(FitResult::siteId));
            int n = sites.size();
            int cut = (int) Math.floor(beta * n);
            int kept = n - 2 * cut;
            float inv = 1f / kept;
            ParameterSet.Builder b = ParameterSet.builder();
            CoordinateSort sorter = cut == 0 ? null : new CoordinateSort(n);
            for (Tensor t : global.tensors()) {
                List<float[]> inputs = new ArrayList<>(n);
                sites.forEach(s -> inputs.add(s.parameters().get(t.name()).values()));
                float[] out = new float[t.size()];
                if (sorter == null) {
                    mean(inputs, out, inv);
                } else {
                    sorter.reduce(inputs, out, (sorted, len, o, off) -> {
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
                b.add(Tensor.of(t.name(), t.shape(), out));
            }
            results.clear();
            return b.build();
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
}
