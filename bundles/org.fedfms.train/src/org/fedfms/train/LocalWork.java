package org.fedfms.train;

import java.util.LinkedHashMap;
import java.util.Map;

import org.fedfms.api.settings.Setting;

/**
 * How much a site trains each round when not the local epochs: batches per round for every site, or for the
 * sites named (heterogeneous local work). A group of {@link TrainerOptions}, flattened into its option names
 * ({@code localSteps=20}, {@code localStepsBySite=site-1=40,site-2=10}).
 *
 * @param localSteps batches per round instead of local epochs, 0 for epochs
 * @param localStepsBySite batches per round of named sites ({@code site-1=40,site-2=10}), over the others
 */
public record LocalWork(
        @Setting(description = "batches per round instead of the local epochs; 0 trains the local epochs", min = 0,
                max = 100_000_000)
        int localSteps,
        @Setting(description = "heterogeneous local work: batches per round of the sites named, e.g. "
                + "'site-1=40,site-2=10', in place of localSteps or the local epochs for them; empty: all alike")
        String localStepsBySite) {

    /** The local epochs at every site. */
    public static final LocalWork DEFAULTS = new LocalWork(0, "");

    /**
     * Trims {@code localStepsBySite} and checks its entries.
     *
     * @throws IllegalArgumentException naming the entry of {@code localStepsBySite} that is not {@code site=steps}
     */
    public LocalWork {
        localStepsBySite = localStepsBySite == null ? "" : localStepsBySite.trim();
        stepsBySite(localStepsBySite);
    }

    /** Batches per round of site {@code siteId}: its entry in {@code localStepsBySite}, else {@code localSteps}. */
    public int stepsOf(String siteId) {
        return stepsBySite(localStepsBySite).getOrDefault(siteId, localSteps);
    }

    /**
     * The entries of {@code localStepsBySite}, by site.
     *
     * @throws IllegalArgumentException naming the entry that is not {@code site=steps} with steps from 1
     */
    private static Map<String, Integer> stepsBySite(String text) {
        Map<String, Integer> m = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return m;
        }
        for (String entry : text.split(",")) {
            int eq = entry.indexOf('=');
            String site = eq < 0 ? "" : entry.substring(0, eq).trim();
            Integer steps = null;
            try {
                steps = eq < 0 ? null : Integer.valueOf(entry.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                // reported below
            }
            if (site.isEmpty() || steps == null || steps < 1 || m.put(site, steps) != null) {
                throw new IllegalArgumentException("localStepsBySite: '" + entry.trim() + "' is not site=steps with "
                        + "steps of at least 1, each site once (e.g. 'site-1=40,site-2=10')");
            }
        }
        return m;
    }
}
