package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.model.io.ParameterFiles;
import org.fedfms.train.internal.DjlSiteTrainer;
import org.fedfms.train.internal.DjlTrainerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Predictions (the viewer's and exports' path) reuse a loaded model until its weights file changes. */
class WarmModelTest {

    @Test
    void predictionsReuseTheWarmModelAndDropItWhenItsWeightsChange(@TempDir Path dir) throws Exception {
        DjlTrainerFactory factory = (DjlTrainerFactory) TestEnv.trainerFactory();
        SiteData site = TestEnv.synthetic(TestEnv.map("imageSize", 128, "samplesPerSite", 12)).sites().get(0);
        Path weights = dir.resolve("tiny.safetensors");
        ParameterSet state;
        TrainerSpec plain = new TrainerSpec("sam-tiny", "decoder", "cpu", 1, 4, 2e-3, 46, TestEnv.map());
        try (DjlSiteTrainer t = (DjlSiteTrainer) factory.create(plain, site)) {
            state = t.modelState();
        }
        ParameterFiles.write(weights, state);
        TrainerSpec spec = new TrainerSpec("sam-tiny", "decoder", "cpu", 1, 4, 2e-3, 46,
                TestEnv.map("weights", weights.toString()));
        ParameterSet trainable;
        long built = factory.modelsBuilt();
        try (DjlSiteTrainer t = (DjlSiteTrainer) factory.create(spec, site)) {
            trainable = t.initialParameters();
        }
        assertEquals(built + 1, factory.modelsBuilt());
        List<String> one = List.of(site.test().get(0).id());
        SamplePrediction first = predict(factory, spec, site, one, trainable);
        SamplePrediction second = predict(factory, spec, site, one, trainable);
        assertEquals(built + 1, factory.modelsBuilt(), "both predictions ran on the model the trainer left warm");
        assertArrayEquals(first.probabilities()[0], second.probabilities()[0]);
        assertTrue(factory.warmModels().stream().anyMatch(d -> d.contains(weights.toString())), factory.warmModels()
                .toString());

        ParameterFiles.write(weights, nudgedEncoder(state));
        SamplePrediction changed = predict(factory, spec, site, one, trainable);
        assertEquals(built + 2, factory.modelsBuilt(), "new weights file contents: the model is loaded again");
        assertFalse(java.util.Arrays.equals(first.probabilities()[0], changed.probabilities()[0]),
                "the prediction uses the new weights");
        assertEquals(1, factory.warmModels().stream().filter(d -> d.contains(weights.toString())).count(),
                "the model of the old contents was dropped: " + factory.warmModels());

        TrainerSpec cold = new TrainerSpec("sam-tiny", "decoder", "cpu", 1, 4, 2e-3, 46,
                TestEnv.map("weights", weights.toString(), "warmModels", 0));
        predict(factory, cold, site, one, trainable);
        predict(factory, cold, site, one, trainable);
        assertEquals(built + 3, factory.modelsBuilt(), "warmModels=0 frees the model after each use (the warm one "
                + "served the first call)");
        assertTrue(factory.warmModels().stream().noneMatch(d -> d.contains(weights.toString())),
                "and keeps none: " + factory.warmModels());
    }

    private static SamplePrediction predict(DjlTrainerFactory factory, TrainerSpec spec, SiteData site,
            List<String> ids, ParameterSet trainable) throws Exception {
        return factory.predict(spec, site, DataSplit.TEST, ids, trainable, TrainingMonitor.NONE).get(0);
    }

    private static ParameterSet nudgedEncoder(ParameterSet state) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : state.tensors()) {
            if (t.name().startsWith("image_encoder.")) {
                float[] v = t.values().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 1.5f;
                }
                b.add(Tensor.of(t.name(), t.shape(), v));
            } else {
                b.add(t);
            }
        }
        return b.build();
    }
}
