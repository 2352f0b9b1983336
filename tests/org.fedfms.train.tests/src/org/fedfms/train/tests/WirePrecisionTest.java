package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireDtype;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceRegistration;

/**
 * The measured effect of the wire precision on Dice: the same FedAvg federation (sam-tiny with the msa
 * adapter on the synthetic 4-site dataset, seed 42, as {@link FederatedTrainingTest} runs it) with every
 * transfer a coordinator makes (initial and updated parameters up, the global model down for fitting and
 * evaluation) encoded and decoded by org.fedfms.wire at fp32, fp16 and bf16. Prints held-out Dice and
 * bytes per round of each; fp16 and bf16 must stay within {@value #TOLERANCE} Dice of fp32 and about halve
 * the bytes. {@code releng/bench/wire-precision} runs this test and prints its table.
 */
class WirePrecisionTest {

    static final double TOLERANCE = 0.03;
    private static final Map<String, Object> DATA = TestEnv.map("imageSize", 128, "samplesPerSite", 24,
            "shiftStrength", 0.3, "slicesPerCase", 2, "testFraction", 0.25);
    private static final int ROUNDS = 5;

    record Outcome(WireDtype dtype, double heldOutDice, double validationDice, long bytesPerRound, double seconds) {
    }

    @Test
    void halfPrecisionTransfersKeepHeldOutDiceWithinToleranceOfFp32() throws Exception {
        FederationService f = TestEnv.federation();
        Map<WireDtype, Outcome> outcomes = new LinkedHashMap<>();
        for (WireDtype dtype : WireDtype.values()) {
            outcomes.put(dtype, run(f, dtype));
        }
        Outcome fp32 = outcomes.get(WireDtype.FP32);
        System.out.println("wire precision | held-out Dice | vs fp32 | validation Dice (last round) | MB per round "
                + "(fit: global down + update up, 4 sites) | seconds");
        for (Outcome o : outcomes.values()) {
            System.out.printf(Locale.ROOT, "%-14s | %13.4f | %+7.4f | %28.4f | %10.3f (%.2fx) | %.0f%n",
                    o.dtype().name().toLowerCase(Locale.ROOT), o.heldOutDice(), o.heldOutDice() - fp32.heldOutDice(),
                    o.validationDice(), o.bytesPerRound() / 1e6, o.bytesPerRound() / (double) fp32.bytesPerRound(),
                    o.seconds());
        }
        assertTrue(fp32.heldOutDice() >= 0.80, "fp32 transfers reach held-out Dice " + fp32.heldOutDice());
        for (WireDtype half : List.of(WireDtype.FP16, WireDtype.BF16)) {
            Outcome o = outcomes.get(half);
            assertTrue(Math.abs(o.heldOutDice() - fp32.heldOutDice()) <= TOLERANCE, half + " transfers: held-out Dice "
                    + o.heldOutDice() + " vs fp32 " + fp32.heldOutDice() + " (tolerance " + TOLERANCE + ")");
            double ratio = o.bytesPerRound() / (double) fp32.bytesPerRound();
            // half the payload; the header (tensor names and shapes) is the same size in both
            assertTrue(ratio > 0.5 && ratio < 0.55, half + " moves " + ratio + " of the fp32 bytes");
        }
    }

    private static Outcome run(FederationService f, WireDtype dtype) throws Exception {
        String id = "wire-" + dtype.name().toLowerCase(Locale.ROOT);
        WireTransferTrainers trainers = new WireTransferTrainers(id, TestEnv.trainerFactory(), dtype);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SiteTrainerFactory.ID_PROPERTY, id);
        ServiceRegistration<SiteTrainerFactory> reg = TestEnv.context().registerService(SiteTrainerFactory.class,
                trainers, props);
        try {
            TestEnv.awaitTrue(() -> f.trainerFactories().stream().anyMatch(t -> t.id().equals(id)), () -> id);
            ExperimentSpec spec = ExperimentSpec.builder("wire-precision-" + id).model("sam-tiny").adapter("msa")
                    .trainer(id).dataset("synthetic").datasetSettings(DATA).strategy("fedavg").device("cpu")
                    .rounds(ROUNDS).localEpochs(6).batchSize(4).learningRate(2e-3).seed(42).roundDeadlineSeconds(900)
                    .build();
            TestEnv.fresh(f, spec.name());
            f.create(spec);
            long t0 = System.nanoTime();
            List<RoundResult> rounds = f.runRounds(spec.name(), ROUNDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(ROUNDS, rounds.size());
            ParameterSet global = f.globalParameters(spec.name());
            TestEnv.fresh(f, spec.name());
            double validation = rounds.get(ROUNDS - 1).evaluationMetrics().get("dice").orElseThrow();
            return new Outcome(dtype, TestEnv.heldOutDice(spec, trainers.transfer(global, "evaluation", false)), validation,
                    trainers.fitBytes.get() / ROUNDS, seconds);
        } finally {
            reg.unregister();
        }
    }

    /**
     * The DJL trainers with every parameter transfer a coordinator would make encoded and decoded by the wire
     * codec at one precision; counts the bytes of the fit transfers.
     */
    static final class WireTransferTrainers implements SiteTrainerFactory {
        private final String id;
        private final SiteTrainerFactory inner;
        private final WireEncoder encoder;
        final AtomicLong fitBytes = new AtomicLong();

        WireTransferTrainers(String id, SiteTrainerFactory inner, WireDtype dtype) {
            this.id = id;
            this.inner = inner;
            this.encoder = WireEncoder.of(dtype);
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return inner.description() + ", transfers through the wire codec";
        }

        @Override
        public SettingsSchema<?> options() {
            return inner.options();
        }

        ParameterSet transfer(ParameterSet p, String site, boolean count) throws IOException {
            WireMessage m = WireMessage.update("wire-precision", 1, site, 1, Metrics.empty(), p);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long bytes = encoder.encode(m, out);
            if (count) {
                fitBytes.addAndGet(bytes);
            }
            return WireDecoder.withDefaults().decodeExpecting(new ByteArrayInputStream(out.toByteArray()), p)
                    .parameters();
        }

        @Override
        public SiteTrainer create(TrainerSpec spec, SiteData data) throws Exception {
            SiteTrainer t = inner.create(spec, data);
            return new SiteTrainer() {
                @Override
                public String siteId() {
                    return t.siteId();
                }

                @Override
                public ParameterSet initialParameters() {
                    try {
                        return transfer(t.initialParameters(), t.siteId(), false);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public FitResult fit(int round, ParameterSet global, FitInstructions instructions,
                        TrainingMonitor monitor) throws Exception {
                    FitResult r = t.fit(round, transfer(global, t.siteId(), true), instructions, monitor);
                    return new FitResult(r.siteId(), transfer(r.parameters(), t.siteId(), true), r.sampleCount(),
                            r.metrics());
                }

                @Override
                public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor)
                        throws Exception {
                    return t.evaluate(round, transfer(global, t.siteId(), false), split, monitor);
                }

                @Override
                public void close() {
                    t.close();
                }
            };
        }
    }
}
