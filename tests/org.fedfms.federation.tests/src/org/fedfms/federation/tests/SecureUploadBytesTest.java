package org.fedfms.federation.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/**
 * What a secure round records as uploaded: the bytes of the protocol's messages as they travel (key advertisement,
 * sealed shares, masked vector of 8 bytes per value plus the weight, revealed shares), not an fp32 update.
 */
class SecureUploadBytesTest extends OnTestEnv {

    @Test
    void aSecureRoundRecordsTheMaskedVectorAndTheProtocolMessages() {
        FederationService f = env.fresh("plain-bytes");
        env.fresh("secure-bytes");
        ExperimentSpecBuilder b = TestEnv.spec("plain-bytes").rounds(1).minSites(2)
                .trainerOptions(Map.of("failSite", "site-1"));
        f.create(b.build());
        f.create(b.name("secure-bytes").secureAggregation("threshold=3").build());
        long values = f.globalParameters("plain-bytes").parameterCount();
        RoundResult plain = f.runRounds("plain-bytes", 1).get(0);
        RoundResult secure = f.runRounds("secure-bytes", 1).get(0);

        long plainUp = 0;
        for (SiteRoundResult s : plain.sites()) {
            if (s.status() == SiteRoundResult.Status.OK) {
                assertEquals(4 * values, s.bytesUp(), s.siteId() + ": the fp32 update");
                plainUp += s.bytesUp();
            }
        }
        assertEquals(plainUp, plain.bytesUp());
        long secureUp = 0;
        long leastOk = Long.MAX_VALUE;
        SiteRoundResult failed = null;
        for (SiteRoundResult s : secure.sites()) {
            long masked = 1 + 2 + s.siteId().length() + 4 + 8 * (values + 1);
            long keys = 1 + 2 + s.siteId().length() + 64;
            if (s.status() == SiteRoundResult.Status.OK) {
                // plus the sealed shares for its neighbours and the shares it reveals: more than 100 B each
                assertTrue(s.bytesUp() > masked + keys + 200 && s.bytesUp() < masked + keys + 8_000,
                        s.siteId() + " uploaded " + s.bytesUp() + " B; masked vector " + masked + " B");
                leastOk = Math.min(leastOk, s.bytesUp() - masked);
            } else {
                failed = s;
                assertTrue(s.bytesUp() > keys, s.siteId() + " uploaded " + s.bytesUp());
            }
            secureUp += s.bytesUp();
        }
        // the failed site sent its keys and sealed shares, then no masked vector and no reveal
        assertEquals("site-1", failed.siteId());
        assertTrue(failed.bytesUp() < leastOk, "failed site " + failed.bytesUp() + " B, others without their masked "
                + "vector at least " + leastOk + " B");
        assertEquals(secureUp, secure.bytesUp(), "the round's total is the sites' sum");
        assertEquals(List.of(), secure.sites().stream().filter(s -> s.bytesUp() == 4 * values).toList(),
                "no site is counted as an fp32 upload");
    }
}
