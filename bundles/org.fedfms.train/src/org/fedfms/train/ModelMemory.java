package org.fedfms.train;

import org.fedfms.api.settings.Setting;

/**
 * What the {@code djl} trainer keeps in memory between uses: cached image embeddings (and their spill to disk)
 * and models kept loaded. A group of {@link TrainerOptions}, flattened into its option names
 * ({@code embeddingCacheMb=0}, {@code warmModels=2}).
 *
 * @param embeddingCacheMb megabytes of image embeddings a model keeps in memory, 0 for no cache
 * @param embeddingSpillMb megabytes of image embeddings spilled to disk beyond the memory bound
 * @param embeddingCacheDir where embeddings are spilled, empty for the system's temporary directory
 * @param warmModels models kept loaded after their last use, for the next prediction or run
 * @param warmModelsMb memory the models kept loaded may hold
 */
public record ModelMemory(
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
        @Setting(description = "models kept loaded after their last user is done (predictions, the viewer, exports, "
                + "the next run), least recently used first out; a model whose weights file changes is dropped; 0 "
                + "frees each model at once", min = 0, max = 100)
        int warmModels,
        @Setting(description = "megabytes the models kept loaded may hold (parameters and cached embeddings)", min = 0,
                max = 10_000_000)
        double warmModelsMb) {

    /** 512 MB of embeddings in memory, 4 GB spilled to the temporary directory, one model of up to 4 GB warm. */
    public static final ModelMemory DEFAULTS = new ModelMemory(512.0, 4096.0, "", 1, 4096.0);

    public ModelMemory {
        embeddingCacheDir = embeddingCacheDir == null ? "" : embeddingCacheDir.trim();
    }
}
