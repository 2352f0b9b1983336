package org.fedfms.federation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.train.DeviceSpec;
import org.fedfms.api.train.TrainerSpec;

/**
 * What an experiment is: model, data, strategy, protocol and schedule. A plain record, read from and
 * written to JSON by {@link ExperimentSpecJson}, bound from {@code k=v} options and form fields through
 * {@link #SCHEMA}; a component left {@code null} takes its default. Its groups ({@link #schedule()},
 * {@link #participation()}, {@link #sharing()}) are flattened: their components are keys of the spec.
 *
 * @param name experiment name, also the name of its checkpoint directory
 * @param model model variant id
 * @param adapter adapter type id
 * @param trainer id of the {@link org.fedfms.api.train.SiteTrainerFactory} service that trains the sites
 * @param dataset id of the {@link org.fedfms.api.data.DatasetLoader} service
 * @param datasetSettings the loader's settings over its defaults
 * @param strategy id of the {@link org.fedfms.api.strategy.AggregationStrategy} service
 * @param strategySettings the strategy's settings over its defaults
 * @param schedule rounds, local epochs, batch size, learning rate and patience ({@link TrainingSchedule})
 * @param protocol how sites train and are evaluated
 * @param unseenSite the site held out by {@link Protocol#LEAVE_ONE_SITE_OUT}
 * @param seed seed of site selection, initialisation and shuffling
 * @param participation which sites a round needs and chooses, and how long it waits
 *        ({@link RoundParticipation})
 * @param device {@code auto}, {@code cpu} or {@code gpu:N}
 * @param weights checkpoint of the initial model (PyTorch {@code .pth}/{@code .pt}, {@code .safetensors},
 *        {@code .npz}), empty for random initialisation from the seed
 * @param trainerOptions further trainer options by name
 * @param sharing what leaves a site and how: encoding, secure aggregation, client-side differential privacy,
 *        local parameters ({@link UpdateSharing})
 */
public record ExperimentSpec(
        @Setting(description = "experiment name: letters, digits, '.', '_' and '-' (names its directory)")
        String name,
        @Setting(description = "model variant id, e.g. sam-tiny or sam-vit-b")
        String model,
        @Setting(description = "adapter type id: what is inserted into the model and trained, e.g. msa or full")
        String adapter,
        @Setting(description = "id of the site trainer factory service")
        String trainer,
        @Setting(description = "id of the dataset loader service")
        String dataset,
        @Setting(description = "dataset loader settings over its defaults")
        Map<String, Object> datasetSettings,
        @Setting(description = "id of the aggregation strategy service")
        String strategy,
        @Setting(description = "aggregation strategy settings over its defaults")
        Map<String, Object> strategySettings,
        TrainingSchedule schedule,
        @Setting(description = "federated: sites train, the strategy aggregates; centralized: one pooled site; "
                + "local-only: each site alone; leave-one-site-out: the unseen site only tests",
                choices = {"federated", "centralized", "local-only", "leave-one-site-out"})
        Protocol protocol,
        @Setting(description = "site held out from training and tested every round (leave-one-site-out only)")
        String unseenSite,
        @Setting(description = "seed of site selection, initialisation and shuffling")
        long seed,
        RoundParticipation participation,
        @Setting(description = "device of the site trainers: auto, cpu or gpu:N")
        String device,
        @Setting(description = "checkpoint of the initial model (PyTorch .pth/.pt as downloaded, .safetensors or "
                + ".npz; a partial one is fine: what it lacks, e.g. adapters, starts as initialised); empty: random "
                + "initialisation")
        String weights,
        @Setting(description = "further trainer options (loss, optimizer, prompt mode, ...) by name")
        Map<String, Object> trainerOptions,
        UpdateSharing sharing) {

    /** How the sites of an experiment train and are evaluated. */
    public enum Protocol {
        /** Chosen sites train each round; the strategy aggregates; every site evaluates the global model. */
        FEDERATED,
        /** One pooled site holding every site's data trains with the same trainer; no aggregation. */
        CENTRALIZED,
        /** Each site trains its own model alone and is evaluated on its own data; no aggregation. */
        LOCAL_ONLY,
        /**
         * Federated training without {@link ExperimentSpec#unseenSite()}, which is evaluated on its test
         * split every round; the round's evaluation metrics are those of the unseen site, the source sites'
         * validation metrics follow with the prefix {@code val_}.
         */
        LEAVE_ONE_SITE_OUT;

        /** Whether rounds of this protocol aggregate the sites' updates with a strategy. */
        public boolean aggregates() {
            return this == FEDERATED || this == LEAVE_ONE_SITE_OUT;
        }

        /** Lower-case, hyphenated name as in JSON and the shell, e.g. {@code leave-one-site-out}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** The protocol named {@code text}, in any case, with hyphens or underscores. */
        public static Protocol parse(String text) {
            String t = text.trim().replace('-', '_').toUpperCase(Locale.ROOT);
            for (Protocol p : values()) {
                if (p.name().equals(t)) {
                    return p;
                }
            }
            List<String> ids = new ArrayList<>();
            for (Protocol p : values()) {
                ids.add(p.id());
            }
            throw new IllegalArgumentException("unknown protocol '" + text + "' (known: " + String.join(", ", ids) + ")");
        }
    }

    /** The defaults of every component. */
    public static final ExperimentSpec DEFAULTS = new ExperimentSpec("experiment", "sam-tiny", "msa", "djl",
            "synthetic", Map.of(), "fedavg", Map.of(), TrainingSchedule.DEFAULTS, Protocol.FEDERATED, "", 42L,
            RoundParticipation.DEFAULTS, "auto", "", Map.of(), UpdateSharing.DEFAULTS);

    /** The spec's settings: descriptions, defaults and ranges for forms and {@code k=v} options. */
    public static final SettingsSchema<ExperimentSpec> SCHEMA =
            SettingsSchema.of("experiment spec", ExperimentSpec.class, DEFAULTS);

    public ExperimentSpec {
        name = orDefault(name, "experiment");
        model = orDefault(model, "sam-tiny");
        adapter = orDefault(adapter, "msa");
        trainer = orDefault(trainer, "djl");
        dataset = orDefault(dataset, "synthetic");
        strategy = orDefault(strategy, "fedavg");
        protocol = protocol == null ? Protocol.FEDERATED : protocol;
        unseenSite = unseenSite == null ? "" : unseenSite;
        device = canonicalDevice(orDefault(device, "auto"));
        weights = weights == null ? "" : weights.trim();
        datasetSettings = frozen(datasetSettings);
        strategySettings = frozen(strategySettings);
        trainerOptions = frozen(trainerOptions);
        schedule = schedule == null ? TrainingSchedule.DEFAULTS : schedule;
        participation = participation == null ? RoundParticipation.DEFAULTS : participation;
        sharing = sharing == null ? UpdateSharing.DEFAULTS : sharing;
    }

    /** {@code gpu} as {@code gpu:0}, {@code CPU} as {@code cpu}; text that is no device stays for {@link #problems()}. */
    private static String canonicalDevice(String device) {
        try {
            return DeviceSpec.parse(device).toString();
        } catch (IllegalArgumentException e) {
            return device;
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    static Map<String, Object> frozen(Map<String, ?> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    /** A builder over the defaults with the given name. */
    public static ExperimentSpecBuilder builder(String name) {
        return new ExperimentSpecBuilder(DEFAULTS).name(name);
    }

    /** Learning rate of experiments that give none when neither the trainer nor the model recommends one. */
    public static final double FALLBACK_LEARNING_RATE = 1e-4;

    /** Trainer option that carries {@link #weights()} to the site trainers. */
    public static final String WEIGHTS_OPTION = "weights";

    /** What the site trainers of this experiment are built from (the initial weights as option {@value #WEIGHTS_OPTION}). */
    public TrainerSpec trainerSpec() {
        Map<String, Object> options = trainerOptions;
        if (!weights.isEmpty()) {
            options = new LinkedHashMap<>(trainerOptions);
            options.put(WEIGHTS_OPTION, weights);
        }
        return new TrainerSpec(model, adapter, DeviceSpec.parse(device), schedule.localEpochs(), schedule.batchSize(),
                schedule.learningRate(), seed, options);
    }

    /** The initial weights file: {@link #weights()}, else the trainer option {@value #WEIGHTS_OPTION}; empty for none. */
    public String initialWeights() {
        Object option = trainerOptions.get(WEIGHTS_OPTION);
        return !weights.isEmpty() || option == null ? weights : option.toString().trim();
    }

    /** A builder starting from this spec. */
    public ExperimentSpecBuilder toBuilder() {
        return new ExperimentSpecBuilder(this);
    }

    /** This spec with another strategy and its settings. */
    public ExperimentSpec withStrategy(String strategyId, Map<String, ?> settings) {
        return toBuilder().strategy(strategyId).strategySettings(settings).build();
    }

    /** Every problem of this spec, each naming the component; empty if it is valid. */
    public List<String> problems() {
        return ExperimentSpecProblems.of(this);
    }

    /**
     * Returns this spec if it is valid.
     *
     * @throws SettingsException listing every problem
     */
    public ExperimentSpec requireValid() {
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new SettingsException("experiment spec '" + name + "'", problems);
        }
        return this;
    }
}
