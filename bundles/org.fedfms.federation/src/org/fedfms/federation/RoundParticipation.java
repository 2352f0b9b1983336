package org.fedfms.federation;

import org.fedfms.api.settings.Setting;

/**
 * Which sites take part in a round and how long the round waits for them: a group of {@link ExperimentSpec}'s
 * settings, flattened into its keys.
 *
 * @param minSites fewest sites whose updates a round needs
 * @param fractionPerRound fraction of the training sites chosen each round
 * @param roundDeadlineSeconds time the sites have to deliver (and, separately, to evaluate)
 */
public record RoundParticipation(
        @Setting(description = "fewest sites whose updates a round needs; fewer pauses the experiment",
                min = 1, max = 100_000)
        int minSites,
        @Setting(description = "fraction of the training sites chosen each round", min = 0, max = 1)
        double fractionPerRound,
        @Setting(description = "seconds the sites have to deliver their updates (and again to evaluate)",
                min = 0, max = 31_536_000)
        double roundDeadlineSeconds) {

    /** Every site each round, one at the least, an hour to deliver. */
    public static final RoundParticipation DEFAULTS = new RoundParticipation(1, 1.0, 3600.0);
}
