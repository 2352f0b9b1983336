package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.LinRegTrainerFactory;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;
import org.junit.jupiter.api.Test;

/** The experiment setting {@code encoding}: simulated sites' transfers coded by the wire codec. */
class EncodedTransfersTest extends OnTestEnv {


    @Test
    void aLossyEncodingWithErrorFeedbackStillConvergesAndCountsItsWireBytes() {
        FederationService f = env.fresh("coded");
        String encoding = "up=topk:0.5+int8,down=nf4/2";
        f.create(TestEnv.spec("coded").rounds(40).localEpochs(2).learningRate(0.05).encoding(encoding).build());
        List<RoundResult> history = f.runRounds("coded", 40);
        ParameterSet global = f.globalParameters("coded");
        float[] w = global.get("linear.weight").values();
        for (int j = 0; j < w.length; j++) {
            assertEquals(LinRegTrainerFactory.TRUE_W[j], w[j], 0.1, "w[" + j + "] with " + encoding);
        }
        // each of the 4 sites: the global down in nf4 (blocks of 2), the update up as top-k 50 % int8
        long down = WireEncoder.coded(TensorCoding.parse("nf4/2")).encodedSize(WireMessage.global("e", 0, "", global));
        long up = WireEncoder.coded(TensorCoding.parse("topk:0.5+int8"))
                .encodedSize(WireMessage.update("e", 0, "", 0, Metrics.empty(), global));
        assertEquals(4 * down, history.get(5).bytesDown());
        assertEquals(4 * up, history.get(5).bytesUp());
    }

    @Test
    void topKOfOneWeightInThreeConvergesThroughErrorFeedback() {
        // 1 of 3 weights per round: error feedback delivers the other two later, so the model still converges
        FederationService f = env.fresh("top1");
        f.create(TestEnv.spec("top1").rounds(60).localEpochs(2).learningRate(0.05).encoding("up=topk:0.3").build());
        f.runRounds("top1", 60);
        float[] w = f.globalParameters("top1").get("linear.weight").values();
        for (int j = 0; j < w.length; j++) {
            assertEquals(LinRegTrainerFactory.TRUE_W[j], w[j], 0.1, "w[" + j + "]");
        }
    }

    @Test
    void aBadEncodingIsAProblemOfTheSpec() {
        ExperimentSpec s = TestEnv.spec("bad").encoding("up=int7").build();
        assertEquals(List.of("'encoding': unknown encoding 'int7': expected fp32, fp16, bf16, int8, nf4 or fp4 (a "
                + "quantization may name its block size, e.g. int8/128), optionally after topk:FRACTION+ (e.g. "
                + "topk:0.01+int8)"), s.problems());
        assertTrue(TestEnv.spec("ok").encoding("up=topk:0.01+int8,down=int8").build().problems().isEmpty());
    }
}
