package org.fedfms.wire.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.DeltaCoding;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;

/** Deltas with top-k and error feedback: nothing a site computed is lost, only delayed. */
class ErrorFeedbackTest {

    private static ParameterSet like(ParameterSet layout, Random rnd, double scale) {
        ParameterSet.Builder b = ParameterSet.builder();
        for (Tensor t : layout.tensors()) {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * scale);
            }
            b.add(Tensor.of(t.name(), t.shape(), v));
        }
        return b.build();
    }

    @Test
    void theSentDeltasPlusTheResidualEqualTheSumOfTheUpdates() throws IOException {
        for (String encoding : new String[] {"topk:0.01", "topk:0.1+int8", "topk:0.05+nf4", "int8", "fp4/16"}) {
            TensorCoding coding = TensorCoding.parse(encoding);
            WireEncoder encoder = WireEncoder.coded(coding);
            Random rnd = new Random(7);
            ParameterSet global = Fixtures.parameters(5);
            ParameterSet residual = null;
            double[] sumOfUpdates = new double[(int) global.parameterCount()];
            double[] sumReceived = new double[sumOfUpdates.length];
            for (int round = 1; round <= 6; round++) {
                ParameterSet update = DeltaCoding.apply(global, like(global, rnd, 0.01));
                DeltaCoding.Step step = DeltaCoding.step(update, global, residual, t -> coding);
                // what travels decodes to exactly what the sender expects the receiver to get
                WireMessage m = WireMessage.update("e", round, "s", 1, org.fedfms.api.Metrics.empty(), step.toSend());
                ParameterSet decoded = WireDecoder.withDefaults().decodeExpecting(
                        new ByteArrayInputStream(Fixtures.encode(encoder, m)), update).parameters();
                Fixtures.assertSameBits(step.received(), decoded);
                add(sumOfUpdates, DeltaCoding.difference(update, global));
                add(sumReceived, decoded);
                residual = step.residual();
                global = DeltaCoding.apply(global, like(global, rnd, 0.002));
            }
            double[] sentPlusResidual = sumReceived.clone();
            add(sentPlusResidual, residual);
            double[] kept = new double[sumOfUpdates.length];
            add(kept, residual);
            double worst = 0;
            double residualNorm = 0;
            for (int i = 0; i < sumOfUpdates.length; i++) {
                worst = Math.max(worst, Math.abs(sentPlusResidual[i] - sumOfUpdates[i]));
                residualNorm = Math.max(residualNorm, Math.abs(kept[i]));
            }
            assertTrue(worst <= 1e-6, encoding + ": sent + residual is off the sum of updates by " + worst);
            assertTrue(residualNorm > 0, encoding + ": a lossy coding leaves something to send later");
        }
    }

    @Test
    void layoutsThatDoNotMatchAreNamed() {
        ParameterSet a = ParameterSet.builder().add(Tensor.zeros("w", 2, 3)).build();
        ParameterSet b = ParameterSet.builder().add(Tensor.zeros("w", 3, 2)).build();
        assertEquals("tensor 'w' [2, 3] is [3, 2] in the global parameters", assertThrows(IllegalArgumentException.class,
                () -> DeltaCoding.step(a, b, null, t -> TensorCoding.parse("int8"))).getMessage());
        assertEquals("tensor 'w' [2, 3] is missing from the residual", assertThrows(IllegalArgumentException.class,
                () -> DeltaCoding.step(a, a, ParameterSet.builder().add(Tensor.zeros("v", 1)).build(),
                        t -> TensorCoding.parse("int8"))).getMessage());
    }

    private static void add(double[] sum, ParameterSet p) {
        int i = 0;
        for (Tensor t : p.tensors()) {
            for (float f : t.values()) {
                sum[i++] += f;
            }
        }
    }
}
