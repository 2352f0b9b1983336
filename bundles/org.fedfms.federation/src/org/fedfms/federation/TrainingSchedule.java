package org.fedfms.federation;

import org.fedfms.api.settings.Setting;

/**
 * How long and in what steps the sites of an experiment train: a group of {@link ExperimentSpec}'s settings,
 * flattened into its keys ({@code rounds=20}, JSON {@code "rounds": 20}).
 *
 * @param rounds planned number of rounds
 * @param localEpochs local epochs per round
 * @param batchSize samples per batch
 * @param learningRate the sites' optimizer learning rate; 0 for the model variant's own (resolved when the
 *        experiment is created)
 * @param patience rounds without a better validation Dice (see {@link BestRound}) after which a run stops;
 *        0 runs every planned round
 */
public record TrainingSchedule(
        @Setting(description = "planned number of rounds", min = 1, max = 1_000_000)
        int rounds,
        @Setting(description = "local epochs per round", min = 1, max = 10_000)
        int localEpochs,
        @Setting(description = "samples per batch", min = 1, max = 65_536)
        int batchSize,
        @Setting(description = "learning rate of the sites' optimizer; 0: the model variant's own (sam-tiny 2e-3, "
                + "SAM ViT 1e-4), set when the experiment is created", min = 0, max = 10)
        double learningRate,
        @Setting(description = "rounds without a better validation Dice after which a run stops early; 0: never",
                min = 0, max = 1_000_000)
        int patience) {

    /** Ten rounds of one local epoch, batches of 4, the model's own learning rate, no early stop. */
    public static final TrainingSchedule DEFAULTS = new TrainingSchedule(10, 1, 4, 0, 0);
}
