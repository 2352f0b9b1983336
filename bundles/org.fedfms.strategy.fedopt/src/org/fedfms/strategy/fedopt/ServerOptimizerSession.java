package org.fedfms.strategy.fedopt;

import java.util.HashMap;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AbstractStrategySession;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.strategy.WeightedMeanAggregator;

/**
 * One experiment's server optimizer: the weighted mean of the site models is streamed into one
 * accumulator, then one optimizer step per tensor turns it into the new global model in place and
 * updates the moments {@code m} and {@code v} in place, so a round needs the accumulator and the two
 * moments, three models, besides the global one (two for FedAvgM, which keeps no {@code v}).
 * {@link #state()} and {@link #restore} copy the moments, so a checkpoint stays valid while later rounds go on.
 */
final class ServerOptimizerSession extends AbstractStrategySession {

    static final String STEP = "step";
    static final String M_PREFIX = "m/";
    static final String V_PREFIX = "v/";

    private final UpdateRule rule;
    private final OptimizerParameters p;
    private Map<String, Tensor> m = new HashMap<>();
    private Map<String, Tensor> v = new HashMap<>();
    private long step;

    ServerOptimizerSession(String strategyId, Map<String, Object> settings, UpdateRule rule, OptimizerParameters p) {
        super(strategyId, settings);
        this.rule = rule;
        this.p = p;
    }

    @Override
    public RoundAggregator beginRound(int round, ParameterSet global) {
        return new WeightedMeanAggregator(round, global, p.weighted(), true).andThen(mean -> {
            checkStateMatches(round, global);
            return optimize(round, global, mean);
        });
    }

    private void checkStateMatches(int round, ParameterSet global) {
        if (step == 0) {
            return;
        }
        for (Tensor t : global.tensors()) {
            Tensor mt = m.get(t.name());
            Tensor vt = v.get(t.name());
            if (mt == null || (rule.secondMoment() && vt == null)) {
                throw new AggregationException("round " + round + ": " + strategyId() + " has no optimizer state for '"
                        + t.name() + "'; the trained parameters changed since step " + step
                        + " (open a new session to start the optimizer afresh)");
            }
            if (!mt.sameShape(t) || (vt != null && !vt.sameShape(t))) {
                throw new AggregationException("round " + round + ": " + strategyId() + " state for '" + t.name()
                        + "' has shape " + mt.shapeText() + " but the parameter has " + t.shapeText());
            }
        }
        if (m.size() != global.tensorCount()) {
            throw new AggregationException("round " + round + ": " + strategyId() + " holds optimizer state for "
                    + m.size() + " tensors but the round has " + global.tensorCount()
                    + "; the trained parameters changed (open a new session to start the optimizer afresh)");
        }
    }

    private ParameterSet optimize(int round, ParameterSet global, ParameterSet mean) {
        float eta = (float) p.etaAt(round);
        float b1 = (float) p.beta1();
        float b2 = (float) p.beta2();
        float tau = (float) p.tau();
        for (Tensor x : mean.tensors()) {
            if (step == 0) {
                m.put(x.name(), Tensor.zeros(M_PREFIX + x.name(), x.shape()));
                if (rule.secondMoment()) {
                    v.put(x.name(), Tensor.zeros(V_PREFIX + x.name(), x.shape()));
                }
            }
            Tensor vt = v.get(x.name());
            rule.step(x.values(), global.get(x.name()).values(), m.get(x.name()).values(),
                    vt == null ? null : vt.values(), eta, b1, b2, tau);
        }
        step++;
        return mean;
    }

    /**
     * Copies of the moments as {@code m/<name>}, {@code v/<name>} (sorted by name; no {@code v} for FedAvgM) and the
     * step count.
     */
    @Override
    public StrategyState state() {
        ParameterSet.Builder b = ParameterSet.builder();
        for (String name : m.keySet().stream().sorted().toList()) {
            b.add(m.get(name).copy());
            if (v.containsKey(name)) {
                b.add(v.get(name).copy());
            }
        }
        return new StrategyState(b.build(), Map.of(STEP, Long.toString(step)));
    }

    @Override
    public void restore(StrategyState state) {
        String stepText = state.values().get(STEP);
        long restoredStep;
        try {
            restoredStep = stepText == null ? 0 : Long.parseLong(stepText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(strategyId() + " state: step '" + stepText + "' is not a number", e);
        }
        if (restoredStep < 0) {
            throw new IllegalArgumentException(strategyId() + " state: negative step " + restoredStep);
        }
        Map<String, Tensor> rm = new HashMap<>();
        Map<String, Tensor> rv = new HashMap<>();
        for (Tensor t : state.tensors().tensors()) {
            if (t.name().startsWith(M_PREFIX)) {
                rm.put(t.name().substring(M_PREFIX.length()), t.copy());
            } else if (t.name().startsWith(V_PREFIX)) {
                rv.put(t.name().substring(V_PREFIX.length()), t.copy());
            } else {
                throw new IllegalArgumentException(strategyId() + " state: unexpected tensor '" + t.name()
                        + "' (expected m/<parameter> and v/<parameter>)");
            }
        }
        if (rule.secondMoment() ? !rm.keySet().equals(rv.keySet()) : !rv.isEmpty()) {
            throw new IllegalArgumentException(strategyId() + " state: m and v name different parameters"
                    + (rule.secondMoment() ? "" : " (" + strategyId() + " keeps no v)"));
        }
        for (Map.Entry<String, Tensor> e : rv.entrySet()) {
            if (!e.getValue().sameShape(rm.get(e.getKey()))) {
                throw new IllegalArgumentException(strategyId() + " state: m and v of '" + e.getKey()
                        + "' differ in shape");
            }
        }
        if (restoredStep > 0 && rm.isEmpty()) {
            throw new IllegalArgumentException(strategyId() + " state: step " + restoredStep + " without moments");
        }
        m = rm;
        v = rv;
        step = restoredStep;
    }
}
