package org.fedfms.train;

import java.util.LinkedHashMap;
import java.util.Map;

import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;

/**
 * The options of the {@code djl} site trainer ({@link org.fedfms.api.train.TrainerSpec#options()}),
 * with the FedFMS reference's choices as defaults: BCE-with-logits with {@code pos_weight} 2, Adam,
 * prompt-free decoding, one local epoch per round (from the spec), standard Dice.
 *
 * <p>Options whose name starts with {@value #ADAPTER_PREFIX} go to the adapter type without the prefix
 * (e.g. {@code adapter.rank=8} for {@code lora}). The groups' options are named as their components
 * ({@code loss=dice}, {@code embeddingCacheMb=0}): {@link #SCHEMA} flattens them.
 *
 * @param trainingLoss the loss and its weight of positive pixels ({@link TrainingLoss})
 * @param localOptimizer the optimizer and its weight decay ({@link LocalOptimizer})
 * @param localWork batches per round instead of local epochs, of every site or of named ones ({@link LocalWork})
 * @param prompts prompt mode and box jitter ({@link PromptOptions})
 * @param metric how Dice and IoU are computed in evaluation
 * @param classes classes including background
 * @param weights base model weights file, empty for a random initialisation from the seed
 * @param dittoLambda Ditto's λ: each site also trains a personal model, 0 for none (the site does it, see
 *     {@link org.fedfms.api.strategy.PersonalModelSite})
 * @param memory embeddings cached and models kept loaded ({@link ModelMemory})
 */
public record TrainerOptions(
        TrainingLoss trainingLoss,
        LocalOptimizer localOptimizer,
        LocalWork localWork,
        PromptOptions prompts,
        @Setting(description = "Dice and IoU in evaluation: standard (sigmoid > 0.5) or reference (the FedFMS "
                + "code's mean over the thresholds 0.1, 0.3, 0.5, 0.7, 0.9 on raw logits)",
                choices = {"standard", "reference"})
        String metric,
        @Setting(description = "classes including background: 2 trains every label > 0 against background; 3 or 4 "
                + "train one sigmoid channel per label (one-vs-rest, on SAM's multimask tokens)", min = 2, max = 4)
        int classes,
        @Setting(description = "weights file (PyTorch .pth/.pt, .safetensors or .npz) of the base model, e.g. an "
                + "official SAM checkpoint as downloaded; empty: random initialisation from the seed")
        String weights,
        @Setting(description = "Ditto personalization: each site also trains a personal model with the proximal "
                + "term lambda/2·||v − global||², kept at the site and scored beside the global model "
                + "(personal_dice, ...); 0: none", min = 0, max = 1_000_000)
        double dittoLambda,
        ModelMemory memory) {

    /** Prefix of the options handed to the adapter type. */
    public static final String ADAPTER_PREFIX = "adapter.";

    /** The reference's choices. */
    public static final TrainerOptions DEFAULTS = new TrainerOptions(TrainingLoss.DEFAULTS,
            LocalOptimizer.DEFAULTS, LocalWork.DEFAULTS, PromptOptions.DEFAULTS, "standard", 2, "", 0, ModelMemory.DEFAULTS);

    /** Descriptions, defaults and ranges. */
    public static final SettingsSchema<TrainerOptions> SCHEMA =
            SettingsSchema.of("trainer djl options", TrainerOptions.class, DEFAULTS);

    public TrainerOptions {
        weights = weights == null ? "" : weights.trim();
        trainingLoss = trainingLoss == null ? TrainingLoss.DEFAULTS : trainingLoss;
        localOptimizer = localOptimizer == null ? LocalOptimizer.DEFAULTS : localOptimizer;
        prompts = prompts == null ? PromptOptions.DEFAULTS : prompts;
        memory = memory == null ? ModelMemory.DEFAULTS : memory;
        localWork = localWork == null ? LocalWork.DEFAULTS : localWork;
    }

    /**
     * The options in {@code options}, over the defaults; adapter options are left out.
     *
     * @throws org.fedfms.api.settings.SettingsException listing every unknown or invalid option
     */
    public static TrainerOptions of(Map<String, ?> options) {
        Map<String, Object> own = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (!k.startsWith(ADAPTER_PREFIX)) {
                own.put(k, v);
            }
        });
        return SCHEMA.bind(own);
    }

    /** The adapter type's settings in {@code options}: those starting with {@value #ADAPTER_PREFIX}, unprefixed. */
    public static Map<String, Object> adapterSettings(Map<String, ?> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (k.startsWith(ADAPTER_PREFIX)) {
                m.put(k.substring(ADAPTER_PREFIX.length()), v);
            }
        });
        return m;
    }

    /** Foreground channels the model predicts: 1 for binary masks, else one per label. */
    public int channels() {
        return classes - 1;
    }
}
