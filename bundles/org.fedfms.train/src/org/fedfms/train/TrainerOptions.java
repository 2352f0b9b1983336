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
 * (e.g. {@code adapter.rank=8} for {@code lora}).
 *
 * @param loss training loss
 * @param posWeight weight of positive pixels in the BCE loss
 * @param optimizer optimizer, created afresh for every round
 * @param weightDecay weight decay of the optimizer
 * @param localSteps batches per round instead of local epochs, 0 for epochs
 * @param prompt prompt mode
 * @param promptJitter box jitter as a share of the box side
 * @param metric how Dice and IoU are computed in evaluation
 * @param classes classes including background
 * @param weights base model weights file, empty for a random initialisation from the seed
 * @param embeddingCacheMb megabytes of image embeddings a model keeps in memory, 0 for no cache
 * @param embeddingSpillMb megabytes of image embeddings spilled to disk beyond the memory bound
 * @param embeddingCacheDir where embeddings are spilled, empty for the system's temporary directory
 * @param localStepsBySite batches per round of named sites ({@code site-1=40,site-2=10}), over the others
 * @param dittoLambda Ditto's λ: each site also trains a personal model, 0 for none (the site does it, see
 *     {@link org.fedfms.api.strategy.PersonalModelSite})
 * @param warmModels models kept loaded after their last use, for the next prediction or run
 * @param warmModelsMb memory the models kept loaded may hold
 */
public record TrainerOptions(
        @Setting(description = "training loss: bce (BCE-with-logits with posWeight, the reference), dice (soft "
                + "Dice) or bce+dice (their sum)", choices = {"bce", "dice", "bce+dice"})
        String loss,
        @Setting(description = "weight of foreground pixels in the BCE loss (the reference uses 2)", min = 0,
                max = 1000)
        double posWeight,
        @Setting(description = "optimizer, new each round (no state crosses rounds; the reference keeps one per "
                + "client): adam (the reference), adamw or sgd (plain SGD, as SCAFFOLD's paper)",
                choices = {"adam", "adamw", "sgd"})
        String optimizer,
        @Setting(description = "weight decay: L2 added to the gradient for adam, decoupled for adamw", min = 0,
                max = 1)
        double weightDecay,
        @Setting(description = "batches per round instead of the local epochs; 0 trains the local epochs", min = 0,
                max = 100_000_000)
        int localSteps,
        @Setting(description = "prompts: none (prompt-free decoding, the reference), box or point, derived from "
                + "the ground truth (jittered in training)", choices = {"none", "box", "point"})
        String prompt,
        @Setting(description = "box jitter in training: each coordinate moves by Gaussian noise of this share of "
                + "the box side (at most 20 px at 1024 px input), as SAM was trained", min = 0, max = 1)
        double promptJitter,
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
        @Setting(description = "megabytes of image embeddings kept in memory where the image encoder is frozen "
                + "(adapter decoder; evaluation): each sample is encoded once and reused across epochs and rounds "
                + "until the encoder's parameters, the preprocessing or the sample change; 0 turns the cache off",
                min = 0, max = 1_000_000)
        double embeddingCacheMb,
        @Setting(description = "megabytes of image embeddings spilled to disk beyond embeddingCacheMb (deleted when "
                + "the model is released); 0 drops them instead", min = 0, max = 10_000_000)
        double embeddingSpillMb,
        @Setting(description = "directory under which spilled embeddings go (a fresh subdirectory per model); empty "
                + "for the system's temporary directory")
        String embeddingCacheDir,
        @Setting(description = "heterogeneous local work: batches per round of the sites named, e.g. "
                + "'site-1=40,site-2=10', in place of localSteps or the local epochs for them; empty: all alike")
        String localStepsBySite,
        @Setting(description = "Ditto personalization: each site also trains a personal model with the proximal "
                + "term lambda/2·||v − global||², kept at the site and scored beside the global model "
                + "(personal_dice, ...); 0: none", min = 0, max = 1_000_000)
        double dittoLambda,
        @Setting(description = "models kept loaded after their last user is done (predictions, the viewer, exports, "
                + "the next run), least recently used first out; a model whose weights file changes is dropped; 0 "
                + "frees each model at once", min = 0, max = 100)
        int warmModels,
        @Setting(description = "megabytes the models kept loaded may hold (parameters and cached embeddings)", min = 0,
                max = 10_000_000)
        double warmModelsMb) {

    /** Prefix of the options handed to the adapter type. */
    public static final String ADAPTER_PREFIX = "adapter.";

    /** The reference's choices. */
    public static final TrainerOptions DEFAULTS = new TrainerOptions("bce", 2.0, "adam", 0.0, 0, "none", 0.1,
            "standard", 2, "", 512.0, 4096.0, "", "", 0, 1, 4096.0);

    /** Descriptions, defaults and ranges. */
    public static final SettingsSchema<TrainerOptions> SCHEMA =
            SettingsSchema.of("trainer djl options", TrainerOptions.class, DEFAULTS);

    public TrainerOptions {
        weights = weights == null ? "" : weights.trim();
        embeddingCacheDir = embeddingCacheDir == null ? "" : embeddingCacheDir.trim();
        localStepsBySite = localStepsBySite == null ? "" : localStepsBySite.trim();
        stepsBySite(localStepsBySite);
    }

    /** Batches per round of site {@code siteId}: its entry in {@code localStepsBySite}, else {@code localSteps}. */
    public int localStepsOf(String siteId) {
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

    /** Whether the loss has a BCE term. */
    public boolean usesBce() {
        return loss.contains("bce");
    }

    /** Whether the loss has a soft Dice term. */
    public boolean usesDice() {
        return loss.contains("dice");
    }
}
