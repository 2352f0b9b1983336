package org.fedfms.api.strategy;

import java.util.List;

import org.fedfms.api.ParameterSet;

/** The checks every strategy applies to a site's update before it touches the aggregate. */
public final class UpdateCheck {

    private UpdateCheck() {
    }

    /**
     * Throws {@link AggregationException} naming the site and the problem if {@code result} does not
     * have exactly the layout of {@code global}, holds a NaN or infinite value, or has no samples.
     */
    public static void check(ParameterSet global, FitResult result) {
        String site = result.siteId();
        if (result.sampleCount() <= 0) {
            throw new AggregationException("site " + site + ": update has " + result.sampleCount()
                    + " samples; a positive sample count is required");
        }
        List<String> diffs = global.layoutDifferences(result.parameters());
        if (!diffs.isEmpty()) {
            int shown = Math.min(diffs.size(), 5);
            throw new AggregationException("site " + site + ": update does not match the global parameters: "
                    + String.join("; ", diffs.subList(0, shown))
                    + (diffs.size() > shown ? " (and " + (diffs.size() - shown) + " more)" : ""));
        }
        String bad = result.parameters().firstNonFinite();
        if (bad != null) {
            throw new AggregationException("site " + site + ": update holds a non-finite value: " + bad);
        }
    }
}
