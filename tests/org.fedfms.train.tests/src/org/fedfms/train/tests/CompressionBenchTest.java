package org.fedfms.train.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Bytes and held-out Dice of FedMSA (sam-tiny + msa on the synthetic 4-site dataset, from the pretrained
 * sam-tiny) with the experiment setting {@code encoding} at fp32, fp16, int8, nf4, top-k 10 % and 1 % and
 * top-k with int8: the same rounds per setting, through the federation engine's own coded transfers.
 * Prints bytes up and down per round, the ratio to FedSAM at fp32 (every parameter of the model, both
 * ways), held-out Dice and its drop against fp32, and the same byte ratio at SAM ViT-B size (FedMSA's
 * 11,159,268 trainable parameters against FedSAM's 93,735,472, each coding's bytes per value). Its last
 * line names the setting with the fewest bytes whose Dice is within 0.01 of fp32. Run by
 * {@code releng/bench/compression}; system properties {@code compression.rounds} (default 8) and
 * {@code compression.epochs} (default 6) change its length; it runs only when {@code compression.rounds} is set,
 * as the script sets it, so a plain {@code ./mvnw verify} skips it.
 */
class CompressionBenchTest {

    static final long VIT_B_FEDSAM = 93_735_472L;
    static final long VIT_B_FEDMSA = 11_159_268L;
    static final double DICE_TOLERANCE = 0.01;
    static final Path PRETRAINED = Path.of(System.getProperty("compression.weights",
            "../../features/org.fedfms.core.feature/rootfiles/weights/sam-tiny-pretrained.pth"));
    static final List<String> SETTINGS = List.of("fp32", "fp16", "int8", "nf4", "up=topk:0.1,down=int8",
            "up=topk:0.01,down=int8", "up=topk:0.01+int8,down=int8", "up=topk:0.01+int8,down=nf4");

    record Outcome(String setting, double upPerRound, double downPerRound, double dice, double vitBRatio) {
    }

    @Test
    @EnabledIfSystemProperty(named = "compression.rounds", matches = "\\d+",
            disabledReason = "a benchmark of several minutes: releng/bench/compression runs it")
    void printsBytesAndHeldOutDicePerEncoding() throws Exception {
        int rounds = Integer.getInteger("compression.rounds", 8);
        int epochs = Integer.getInteger("compression.epochs", 6);
        Map<String, Object> data = TestEnv.map("imageSize", 64, "samplesPerSite", 24, "shiftStrength", 0.3,
                "slicesPerCase", 2, "testFraction", 0.25);
        boolean pretrained = Files.isRegularFile(PRETRAINED);
        FederationService f = TestEnv.federation();
        List<Outcome> outcomes = new ArrayList<>();
        long fedSamTiny = 0;
        for (String setting : SETTINGS) {
            ExperimentSpec spec = ExperimentSpec.builder("compression-" + outcomes.size()).model("sam-tiny")
                    .adapter("msa").dataset("synthetic").datasetSettings(data).strategy("fedavg").device("cpu")
                    .rounds(rounds).localEpochs(epochs).batchSize(4).learningRate(2e-3).seed(42)
                    .roundDeadlineSeconds(900).weights(pretrained ? PRETRAINED.toAbsolutePath().toString() : "")
                    .encoding(setting.equals("fp32") ? "" : setting).build();
            TestEnv.fresh(f, spec.name());
            f.create(spec);
            List<RoundResult> history = f.runRounds(spec.name(), rounds);
            assertEquals(rounds, history.size());
            ParameterSet global = f.globalParameters(spec.name());
            TransferEncoding enc = TransferEncoding.parse(spec.sharing().encoding());
            double up = 0;
            double down = 0;
            for (RoundResult r : history) {
                up += r.bytesUp();
                down += r.bytesDown();
            }
            long sites = history.get(0).okSites();
            if (setting.equals("fp32")) {
                // fp32 rounds count payload bytes: count the wire bytes, as for the coded settings
                up = down = rounds * sites * (double) WireEncoder.fp32().encodedSize(WireMessage.global("e", 0, "",
                        global));
                fedSamTiny = sites * 4L * TestEnv.models().variants().stream()
                        .filter(v -> v.id().equals("sam-tiny")).findFirst().orElseThrow().parameterCount();
            }
            double vitB = (VIT_B_FEDMSA * (bytesPerValue(enc.up()) + bytesPerValue(enc.down())))
                    / (2.0 * 4 * VIT_B_FEDSAM);
            outcomes.add(new Outcome(setting, up / rounds, down / rounds, TestEnv.heldOutDice(spec, global), vitB));
            TestEnv.fresh(f, spec.name());
        }
        double fp32Dice = outcomes.get(0).dice();
        System.out.println("compression: FedMSA sam-tiny, " + rounds + " rounds x " + epochs + " epochs, 4 sites, from "
                + (pretrained ? "the pretrained sam-tiny" : "random weights (" + PRETRAINED + " is missing)"));
        System.out.println("setting                      | up B/round | down B/round | of FedSAM fp32 | held-out Dice "
                + "| drop    | at ViT-B");
        Outcome best = null;
        for (Outcome o : outcomes) {
            double ratio = (o.upPerRound() + o.downPerRound()) / (2.0 * fedSamTiny);
            System.out.printf(Locale.ROOT, "%-28s | %10.0f | %12.0f | 1/%-12.1f | %13.4f | %+.4f | 1/%.1f%n",
                    o.setting(), o.upPerRound(), o.downPerRound(), 1 / ratio, o.dice(), o.dice() - fp32Dice,
                    1 / o.vitBRatio());
            if (fp32Dice - o.dice() <= DICE_TOLERANCE && (best == null || o.vitBRatio() < best.vitBRatio())) {
                best = o;
            }
            assertTrue(o == outcomes.get(0) || o.upPerRound() + o.downPerRound()
                    < outcomes.get(0).upPerRound() + outcomes.get(0).downPerRound(), o.setting() + " saves bytes");
        }
        assertTrue(fp32Dice > 0.5, "the fp32 baseline trains: held-out Dice " + fp32Dice);
        System.out.printf(Locale.ROOT, "best: %s 1/%.0f of FedSAM fp32 bytes, Dice drop %.4f%n", best.setting(),
                1 / best.vitBRatio(), fp32Dice - best.dice());
    }

    /** Bytes per value of a coding for large tensors: values (and indices, for top-k), scales per block. */
    static double bytesPerValue(TensorCoding c) {
        double kept = c.keepFraction();
        double perValue = c.quantization() == null ? c.dtype().bytesPerValue()
                : c.quantization().bits() / 8.0 + 4.0 / c.blockSize();
        return kept * ((c.sparse() ? 4 : 0) + perValue);
    }
}
