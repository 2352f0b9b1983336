package org.fedfms.api.train;

import java.util.Map;

/**
 * How a site trainer is built and trains.
 *
 * @param model model variant id (e.g. {@code sam-tiny})
 * @param adapter adapter type id (e.g. {@code msa})
 * @param device where the trainer runs
 * @param localEpochs local epochs per round
 * @param batchSize samples per batch
 * @param learningRate optimizer learning rate
 * @param seed seed of initialisation and shuffling
 * @param options further trainer options (loss, optimizer, prompt mode, ...) by name
 */
public record TrainerSpec(String model, String adapter, DeviceSpec device, int localEpochs, int batchSize,
        double learningRate, long seed, Map<String, Object> options) {

    public TrainerSpec {
        device = device == null ? DeviceSpec.AUTO : device;
        options = Map.copyOf(options);
        if (localEpochs < 0) {
            throw new IllegalArgumentException("local epochs must be >= 0, got " + localEpochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }

    /**
     * A spec whose device is given as text ({@code auto}, {@code cpu}, {@code gpu:N}).
     *
     * @throws IllegalArgumentException when the device text is not one of these
     */
    public TrainerSpec(String model, String adapter, String device, int localEpochs, int batchSize,
            double learningRate, long seed, Map<String, Object> options) {
        this(model, adapter, DeviceSpec.parse(device), localEpochs, batchSize, learningRate, seed, options);
    }
}
