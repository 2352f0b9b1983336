package org.fedfms.strategy.dp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AbstractStrategySession;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.ControlVariates;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.SiteFailure;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.strategy.UpdateCheck;

/**
 * A DP session around an inner strategy's session. The noise of round {@code r} is drawn from a
 * generator seeded by {@code (seed, r)}, so the state to restore is just the seed (plus the inner
 * session's state) and a resumed run adds exactly the noise an uninterrupted one would.
 */
final class DpSession extends AbstractStrategySession {

    static final String SEED = "seed";
    static final String INNER_TENSORS = "inner/";
    static final String INNER_VALUES = "inner.";

    private final Map<String, Object> ownSettings;
    private final double clippingNorm;
    private final double noiseMultiplier;
    private final StrategySession inner;
    private long seed;

    DpSession(String strategyId, Map<String, Object> ownSettings, double clippingNorm, double noiseMultiplier,
            long seed, StrategySession inner) {
        super(strategyId, ownSettings);
        this.ownSettings = ownSettings;
        this.clippingNorm = clippingNorm;
        this.noiseMultiplier = noiseMultiplier;
        this.seed = seed;
        this.inner = inner;
    }

    /** The wrapper's settings with the seed in use, and the inner session's settings as {@code inner.<key>}. */
    @Override
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>(ownSettings);
        m.put(SEED, seed);
        inner.settings().forEach((k, v) -> m.put(DpFixedClippingStrategy.INNER_PREFIX + k, v));
        return m;
    }

    @Override
    public Map<String, FitInstructions> configureFit(int round, ParameterSet global, List<SiteInfo> sites) {
        return inner.configureFit(round, global, sites);
    }

    /** What the inner strategy has the sites train from (SCAFFOLD's variates beside the model, say). */
    @Override
    public ParameterSet fitParameters(int round, ParameterSet global) {
        return inner.fitParameters(round, global);
    }

    @Override
    public Metrics aggregateEvaluate(int round, List<EvaluateResult> results) {
        return inner.aggregateEvaluate(round, results);
    }

    @Override
    public RoundAggregator beginRound(int round, ParameterSet global) {
        ParameterSet sent = inner.fitParameters(round, global);
        RoundAggregator innerRound = inner.beginRound(round, global);
        return new RoundAggregator() {
            private int aggregated;

            @Override
            public void accept(FitResult result) {
                UpdateCheck.check(sent, result);
                ParameterSet clipped = clip(global, sent, result.parameters());
                innerRound.accept(new FitResult(result.siteId(), clipped, result.sampleCount(), result.metrics()));
                aggregated++;
            }

            @Override
            public int accepted() {
                return aggregated;
            }

            @Override
            public ParameterSet finish(List<SiteFailure> failures) {
                if (aggregated == 0) {
                    throw AggregationException.nothingDelivered(round);
                }
                ParameterSet result = innerRound.finish(failures);
                return addNoise(round, result, noiseMultiplier * clippingNorm / aggregated);
            }
        };
    }

    /**
     * {@code global + min(1, C/||update||)·update} over the model's tensors, or the site's own set when it is within
     * the norm. When the round sent SCAFFOLD control variates, the site's variate change is scaled with its model:
     * {@code Δc_i + c} is the update over {@code −K·η}, so the clipped change is {@code s·(Δc_i + c) − c}, what the
     * clipped update implies (the variates are clipped, not noised). Any other tensor beside the model is refused.
     */
    private ParameterSet clip(ParameterSet global, ParameterSet sent, ParameterSet site) {
        double norm = Math.sqrt(global.squaredDistance(site));
        if (norm <= clippingNorm) {
            return site;
        }
        float scale = (float) (clippingNorm / norm);
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : sent.tensors()) {
            boolean model = global.names().contains(t.name());
            if (!model && !ControlVariates.isVariate(t.name())) {
                throw new AggregationException(strategyId() + " cannot clip '" + t.name() + "', which the inner "
                        + "strategy sends beside the model; only the model and SCAFFOLD's variates are known");
            }
            float[] x = site.get(t.name()).values();
            float[] anchor = t.values();
            float[] out = new float[x.length];
            for (int k = 0; k < out.length; k++) {
                out[k] = model ? anchor[k] + scale * (x[k] - anchor[k]) : scale * (x[k] + anchor[k]) - anchor[k];
            }
            b.add(Tensor.of(t.name(), t.shape(), out));
        }
        return b.build();
    }

    /** The aggregate plus N(0, std²) per parameter, in new arrays (the inner result is left as it is). */
    private ParameterSet addNoise(int round, ParameterSet aggregate, double std) {
        if (std == 0) {
            return aggregate;
        }
        SplittableRandom random = new SplittableRandom(roundSeed(seed, round));
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : aggregate.tensors()) {
            float[] x = t.values();
            float[] out = new float[x.length];
            for (int k = 0; k < out.length; k++) {
                out[k] = (float) (x[k] + std * random.nextGaussian());
            }
            b.add(Tensor.of(t.name(), t.shape(), out));
        }
        return b.build();
    }

    /** Stafford's mix13 of seed and round, so that rounds get unrelated noise streams. */
    static long roundSeed(long seed, int round) {
        long z = seed + 0x9E3779B97F4A7C15L * (round + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public StrategyState state() {
        StrategyState in = inner.state();
        ParameterSet.Builder b = ParameterSet.builder();
        in.tensors().tensors().forEach(t -> b.add(t.renamed(INNER_TENSORS + t.name())));
        Map<String, String> values = new LinkedHashMap<>();
        values.put(SEED, Long.toString(seed));
        in.values().forEach((k, v) -> values.put(INNER_VALUES + k, v));
        return new StrategyState(b.build(), values);
    }

    @Override
    public void restore(StrategyState state) {
        String seedText = state.values().get(SEED);
        if (seedText == null) {
            throw new IllegalArgumentException(strategyId() + " state: no '" + SEED + "'");
        }
        long restoredSeed;
        try {
            restoredSeed = Long.parseLong(seedText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(strategyId() + " state: seed '" + seedText + "' is not a number", e);
        }
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : state.tensors().tensors()) {
            if (!t.name().startsWith(INNER_TENSORS)) {
                throw new IllegalArgumentException(strategyId() + " state: unexpected tensor '" + t.name() + "'");
            }
            b.add(t.renamed(t.name().substring(INNER_TENSORS.length())));
        }
        Map<String, String> innerValues = new LinkedHashMap<>();
        state.values().forEach((k, v) -> {
            if (k.startsWith(INNER_VALUES)) {
                innerValues.put(k.substring(INNER_VALUES.length()), v);
            }
        });
        inner.restore(new StrategyState(b.build(), innerValues));
        seed = restoredSeed;
    }
}
