package org.fedfms.api.train;

import java.util.Map;

/**
 * How a site trainer is built and trains.
 *
 * @param model model variant id (e.g. {@code sam-tiny})
 * @param adapter adapter type id (e.g. {@code msa})
 * @param device {@code auto}, {@code cpu} or {@code gpu:N}
 * @param localEpochs local epochs per round
 * @param batchSize samples per batch
 * @param learningRate optimizer learning rate
 * @param seed seed of initialisation and shuffling
 * @param options further trainer options (loss, optimizer, prompt mode, ...) by name
 */
public record TrainerSpec(String model, String adapter, String device, int localEpochs, int batchSize,
        double learningRate, long seed, Map<String, Object> options) {

    public TrainerSpec {
        options = Map.copyOf(options);
        if (localEpochs < 0) {
            throw new IllegalArgumentException("local epochs must be >= 0, got " + localEpochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }
}
