package org.fedfms.strategy.krum;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.AggregationException;
import org.fedfms.api.strategy.CoordinateSort;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.SiteFailure;

/**
 * One Bulyan round (El Mhamdi et al., ICML 2018), as Flower's Bulyan with Krum as the selection rule: of
 * {@code n ≥ 4f + 3} updates, {@code θ = n − 2f} are chosen one at a time, each the Krum winner among those
 * not chosen yet; then every coordinate of the result is the unweighted mean of the {@code β = θ − 2f} chosen
 * values closest to their median (a trimmed mean around the median; when two values are equally far, the
 * larger one is left out).
 */
final class BulyanRound extends KrumRound {

    BulyanRound(int round, ParameterSet global, String strategyId, int f) {
        super(round, global, strategyId, f);
    }

    @Override
    public ParameterSet finish(List<SiteFailure> failures) {
        List<FitResult> sites = selection.sites();
        int n = sites.size();
        if (n < 4 * f + 3) {
            throw new AggregationException("round " + round + ": " + strategyId + " with f=" + f
                    + " needs at least 4f+3 = " + (4 * f + 3) + " updates, got " + n + " "
                    + sites.stream().map(FitResult::siteId).toList() + "; lower f or wait for more sites");
        }
        List<float[]>[] chosen = chosenValues(sites, n - 2 * f);
        int theta = n - 2 * f;
        CoordinateSort sorter = new CoordinateSort(theta);
        CoordinateSort.BlockReducer nearMedian = nearMedianMean(theta, theta - 2 * f);
        ParameterSet.Builder b = ParameterSet.builder();
        List<Tensor> tensors = List.copyOf(global.tensors());
        for (int t = 0; t < tensors.size(); t++) {
            Tensor g = tensors.get(t);
            float[] out = new float[g.size()];
            sorter.reduce(chosen[t], out, nearMedian);
            b.add(Tensor.of(g.name(), g.shape(), out));
        }
        selection.clear();
        return b.build();
    }

    /** Each tensor's values of the {@code theta} updates chosen by repeated Krum, in the order chosen. */
    @SuppressWarnings("unchecked")
    private List<float[]>[] chosenValues(List<FitResult> sites, int theta) {
        double[][] d = selection.squaredDistances(sites);
        List<Integer> left = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            left.add(i);
        }
        List<FitResult> chosen = new ArrayList<>(theta);
        for (int c = 0; c < theta; c++) {
            int best = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            for (int i : left) {
                double s = KrumSelection.score(d, i, left, f);
                if (s < bestScore) {
                    best = i;
                    bestScore = s;
                }
            }
            chosen.add(sites.get(best));
            left.remove(Integer.valueOf(best));
        }
        List<Tensor> tensors = List.copyOf(global.tensors());
        List<float[]>[] values = new List[tensors.size()];
        for (int t = 0; t < values.length; t++) {
            String name = tensors.get(t).name();
            values[t] = chosen.stream().map(r -> r.parameters().get(name).values()).toList();
        }
        return values;
    }

    /** The mean of the {@code beta} of {@code theta} sorted values closest to their median, per coordinate. */
    private static CoordinateSort.BlockReducer nearMedianMean(int theta, int beta) {
        float inv = 1f / beta;
        return (sorted, len, out, off) -> {
            for (int j = 0; j < len; j++) {
                float median = theta % 2 == 1 ? sorted[theta / 2][j]
                        : 0.5f * (sorted[theta / 2 - 1][j] + sorted[theta / 2][j]);
                int lo = 0;
                int hi = theta - 1;
                for (int drop = theta - beta; drop > 0; drop--) {
                    if (median - sorted[lo][j] > sorted[hi][j] - median) {
                        lo++;
                    } else {
                        hi--;
                    }
                }
                float sum = 0;
                for (int i = lo; i <= hi; i++) {
                    sum += sorted[i][j];
                }
                out[off + j] = sum * inv;
            }
        };
    }
}
