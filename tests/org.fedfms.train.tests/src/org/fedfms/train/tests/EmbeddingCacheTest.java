package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.train.internal.DjlSiteTrainer;
import org.fedfms.train.internal.EmbeddingCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The frozen-encoder embedding cache: same results as without it, misses on every change, bounded memory. */
class EmbeddingCacheTest {

    private static SiteData site;
    private static SiteTrainerFactory factory;

    @BeforeAll
    static void data() throws Exception {
        site = TestEnv.synthetic(TestEnv.map("imageSize", 128, "samplesPerSite", 24, "shiftStrength", 0.3)).sites()
                .get(0);
        factory = TestEnv.trainerFactory();
    }

    /** Each test its own seed: trainers of equal specs share a model, and with it its cache. */
    private static DjlSiteTrainer trainer(long seed, String adapter, int epochs, SiteData data, Object... options)
            throws Exception {
        TrainerSpec spec = new TrainerSpec("sam-tiny", adapter, "cpu", epochs, 4, 2e-3, seed, TestEnv.map(options));
        return (DjlSiteTrainer) factory.create(spec, data);
    }

    @Test
    void decoderOnlyTrainingIsBitwiseEqualWithAndWithoutTheCache() throws Exception {
        int n = site.train().size();
        ParameterSet without;
        EvaluateResult evaluatedWithout;
        try (DjlSiteTrainer t = trainer(42, "decoder", 2, site, "embeddingCacheMb", 0.0)) {
            FitResult r1 = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE);
            without = t.fit(2, r1.parameters(), FitInstructions.none(), TrainingMonitor.NONE).parameters();
            evaluatedWithout = t.evaluate(2, without, DataSplit.TRAIN, TrainingMonitor.NONE);
            assertNull(t.embeddingCacheStats(), "embeddingCacheMb=0 turns the cache off");
        }
        try (DjlSiteTrainer t = trainer(42, "decoder", 2, site)) {
            FitResult r1 = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE);
            EmbeddingCache.Stats afterRound1 = t.embeddingCacheStats();
            assertEquals(n, afterRound1.misses(), "round 1 encodes each training sample once: " + afterRound1);
            assertEquals(n, afterRound1.hits(), "its second epoch reuses every embedding: " + afterRound1);
            ParameterSet with = t.fit(2, r1.parameters(), FitInstructions.none(), TrainingMonitor.NONE).parameters();
            EmbeddingCache.Stats afterRound2 = t.embeddingCacheStats();
            assertEquals(n, afterRound2.misses(), "round 2 encodes nothing: " + afterRound2);
            assertEquals(3L * n, afterRound2.hits(), afterRound2.toString());
            assertTrue(TestEnv.bitwiseEqual(without, with), "decoder-only training with the cache equals training "
                    + "without it, bit for bit");
            EvaluateResult evaluatedWith = t.evaluate(2, with, DataSplit.TRAIN, TrainingMonitor.NONE);
            assertEquals(4L * n, t.embeddingCacheStats().hits(), "evaluation reuses the training embeddings");
            assertEquals(evaluatedWithout.metrics(), evaluatedWith.metrics());
        }
    }

    @Test
    void encoderParametersOrInputThatChangeMissTheCache() throws Exception {
        List<Sample> test = site.test();
        int n = test.size();
        try (DjlSiteTrainer t = trainer(43, "msa", 1, site)) {
            ParameterSet a = t.initialParameters();
            t.evaluate(1, a, DataSplit.TEST, TrainingMonitor.NONE);
            assertEquals(n, t.embeddingCacheStats().misses());
            t.evaluate(1, a, DataSplit.TEST, TrainingMonitor.NONE);
            assertEquals(n, t.embeddingCacheStats().hits(), "the same encoder parameters reuse the embeddings");

            ParameterSet b = withEncoderAdapterNudged(a);
            EvaluateResult withB = t.evaluate(2, b, DataSplit.TEST, TrainingMonitor.NONE);
            assertEquals(2L * n, t.embeddingCacheStats().misses(), "changed encoder (adapter) parameters miss");
            assertEquals(n, t.embeddingCacheStats().hits());

            // training the encoder (msa) does not use the cache; evaluating b again hits b's embeddings
            t.fit(2, b, FitInstructions.none(), TrainingMonitor.NONE);
            assertEquals(2L * n, t.embeddingCacheStats().misses(), "msa training bypasses the cache");
            assertEquals(withB.metrics(), t.evaluate(2, b, DataSplit.TEST, TrainingMonitor.NONE).metrics());
            assertEquals(2L * n, t.embeddingCacheStats().hits());
        }
        // same ids, other content (as another preprocessing or a changed file would give): every sample misses
        SiteData brighter = new SiteData(site.siteId(), site.train(), site.validation(),
                test.stream().map(EmbeddingCacheTest::brighter).toList());
        try (DjlSiteTrainer t = trainer(43, "decoder", 1, site);
                DjlSiteTrainer u = trainer(43, "decoder", 1, brighter)) {
            t.evaluate(1, t.initialParameters(), DataSplit.TEST, TrainingMonitor.NONE);
            u.evaluate(1, u.initialParameters(), DataSplit.TEST, TrainingMonitor.NONE);
            EmbeddingCache.Stats s = u.embeddingCacheStats();
            assertEquals(2L * n, s.misses(), "the same ids with other pixels are encoded anew: " + s);
            assertEquals(0, s.hits());
            t.evaluate(1, t.initialParameters(), DataSplit.TEST, TrainingMonitor.NONE);
            assertEquals(n, t.embeddingCacheStats().hits(), "the originals still hit (the two trainers share a model)");
        }
    }

    @Test
    void beyondTheMemoryBoundEmbeddingsSpillToDiskAndAreDeletedWithTheModel(@TempDir Path dir) throws Exception {
        int n = site.train().size();
        // sam-tiny's embedding is 32 x 8 x 8 floats (8 KiB): 0.03 MB holds 3 of them
        Path spill;
        ParameterSet uncached;
        try (DjlSiteTrainer t = trainer(44, "decoder", 2, site, "embeddingCacheMb", 0.0)) {
            uncached = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE).parameters();
        }
        try (DjlSiteTrainer t = trainer(44, "decoder", 2, site, "embeddingCacheMb", 0.03, "embeddingCacheDir",
                dir.toString(), "warmModels", 0)) {
            ParameterSet cached = t.fit(1, t.initialParameters(), FitInstructions.none(), TrainingMonitor.NONE)
                    .parameters();
            EmbeddingCache.Stats s = t.embeddingCacheStats();
            assertEquals(3, s.inMemory(), s.toString());
            assertTrue(s.memoryBytes() <= 0.03 * 1024 * 1024, s.toString());
            assertEquals(n - 3, s.onDisk(), s.toString());
            assertEquals(n, s.misses(), "nothing was encoded twice: " + s);
            assertEquals(n, s.hits(), s.toString());
            assertTrue(s.diskHits() >= n - 3, "the second epoch read spilled embeddings back: " + s);
            spill = s.directory();
            assertNotNull(spill);
            assertTrue(spill.startsWith(dir), spill + " is under " + dir);
            try (var files = Files.list(spill)) {
                assertEquals(n - 3, files.count());
            }
            assertTrue(TestEnv.bitwiseEqual(uncached, cached), "spilled embeddings read back bit for bit");
        }
        assertFalse(Files.exists(spill), "the spill directory goes with the model (freed as its trainer closes, "
                + "since none is kept warm)");
    }

    private static ParameterSet withEncoderAdapterNudged(ParameterSet p) {
        ParameterSet.Builder b = ParameterSet.builder();
        boolean nudged = false;
        for (Tensor t : p.tensors()) {
            if (!nudged && t.name().startsWith("image_encoder.")) {
                float[] v = t.values().clone();
                v[0] += 0.25f;
                b.add(Tensor.of(t.name(), t.shape(), v));
                nudged = true;
            } else {
                b.add(t);
            }
        }
        assertTrue(nudged, "msa trains encoder tensors");
        return b.build();
    }

    private static Sample brighter(Sample s) {
        return new Sample() {
            @Override
            public String id() {
                return s.id();
            }

            @Override
            public LabeledImage load() throws java.io.IOException {
                LabeledImage i = s.load();
                float[] px = i.pixels().clone();
                for (int k = 0; k < px.length; k++) {
                    px[k] = Math.min(255f, px[k] + 20f);
                }
                return new LabeledImage(i.height(), i.width(), i.channels(), px, i.mask());
            }
        };
    }
}
