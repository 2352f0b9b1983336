package org.fedfms.api.strategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * A round that combines the sites' values of every coordinate on its own (median, trimmed mean): it holds the
 * round's updates (references, not copies) and, at {@link #finish}, hands each tensor's values of all sites, in
 * site-id order, to a reduction chosen for the number of sites.
 */
public final class CoordinateWiseRound implements RoundAggregator {

    /** How the sites' values of one tensor become the new values. */
    @FunctionalInterface
    public interface Reduction {
        /**
         * @param sites each site's values of the tensor, in site-id order
         * @param out the new values, zero on entry
         */
        void reduce(List<float[]> sites, float[] out);
    }

    private final int round;
    private final ParameterSet global;
    private final IntFunction<Reduction> reductionForSites;
    private final Map<String, FitResult> results = new LinkedHashMap<>();

    /**
     * @param reductionForSites the reduction for a number of sites, asked once per {@link #finish}
     */
    public CoordinateWiseRound(int round, ParameterSet global, IntFunction<Reduction> reductionForSites) {
        this.round = round;
        this.global = global;
        this.reductionForSites = reductionForSites;
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
            throw AggregationException.nothingDelivered(round);
        }
        List<FitResult> sites = new ArrayList<>(results.values());
        sites.sort(Comparator.comparing(FitResult::siteId));
        Reduction reduction = reductionForSites.apply(sites.size());
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : global.tensors()) {
            List<float[]> inputs = new ArrayList<>(sites.size());
            sites.forEach(s -> inputs.add(s.parameters().get(t.name()).values()));
            float[] out = new float[t.size()];
            reduction.reduce(inputs, out);
            b.add(Tensor.of(t.name(), t.shape(), out));
        }
        results.clear();
        return b.build();
    }
}
