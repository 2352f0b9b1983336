package org.fedfms.strategy.median;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
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
 * FedMedian (Yin et al., 2018): every parameter of the new global model is the median of the sites'
 * values of that parameter (the mean of the two middle values for an even number of sites), unweighted,
 * as Flower's FedMedian. Up to half of the sites minus one can send anything without moving it far.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedMedianStrategy.ID)
public class FedMedianStrategy implements AggregationStrategy {

    static final String ID = "fedmedian";

    private static final SettingsSchema<SettingsSchema.None> SCHEMA = SettingsSchema.none("strategy " + ID);

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "FedMedian: coordinate-wise median of the site models (robust to a minority of bad sites)";
    }

    @Override
    public SettingsSchema<SettingsSchema.None> settings() {
        return SCHEMA;
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        SCHEMA.bind(settings);
        return new StrategySession() {
            @Override
            public String strategyId() {
                return ID;
            }

            @Override
            public Map<String, Object> settings() {
                return Map.of();
            }

            @Override
            public RoundAggregator beginRound(int round, ParameterSet global) {
                return new MedianRound(round, global);
            }
        };
    }

    /** Holds the round's updates (references, not copies) until {@link #finish}. */
    private static final class MedianRound implements RoundAggregator {
        private final int round;
        private final ParameterSet global;
        private final Map<String, FitResult> results = new LinkedHashMap<>();

        MedianRound(int round, ParameterSet global) {
            this.round = round;
            this.global = global;
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
            ParameterSet.Builder b = ParameterSet.builder();
            for (Tensor t : global.tensors()) {
                List<float[]> inputs = new ArrayList<>(n);
                sites.forEach(s -> inputs.add(s.parameters().get(t.name()).values()));
                float[] out = new float[t.size()];
                sorter.reduce(inputs, out, median);
                b.add(Tensor.of(t.name(), t.shape(), out));
            }
            results.clear();
            return b.build();
        }
    }
}
