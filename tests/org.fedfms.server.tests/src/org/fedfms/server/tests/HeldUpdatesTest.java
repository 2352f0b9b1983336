package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.fedfms.server.internal.HeldUpdates;
import org.junit.jupiter.api.Test;

/** Decoded updates waiting for the engine to fold them in are bounded per round, whichever sites they are from. */
class HeldUpdatesTest {

    @Test
    void boundsTheDecodedUpdatesTheEngineHasNotTakenYet() {
        HeldUpdates h = new HeldUpdates(2);
        assertTrue(h.mayDecode(1), "before the round is known, nothing waits");
        h.roundStarted(1);
        assertTrue(h.mayDecode(1));
        h.handedOver(1, "s2");
        h.handedOver(1, "s3");
        assertEquals(2, h.held(1));
        assertFalse(h.mayDecode(1), "two are held");
        assertTrue(h.mayDecode(2), "another round is not bounded by this one");

        h.siteFinished(1, "s3");
        assertEquals(1, h.held(1));
        assertTrue(h.mayDecode(1), "the engine took one: room for another");
        h.handedOver(1, "s0");
        assertFalse(h.mayDecode(1));

        h.siteFinished(1, "s4");
        h.handedOver(1, "s4");
        assertEquals(2, h.held(1), "an update the engine is already done with (failed, late) is not held");
    }

    @Test
    void aNewRoundStartsWithNothingHeld() {
        HeldUpdates h = new HeldUpdates(1);
        h.roundStarted(3);
        h.handedOver(3, "b");
        assertFalse(h.mayDecode(3));
        h.roundStarted(4);
        assertEquals(0, h.held(4));
        assertEquals(0, h.held(3));
        assertTrue(h.mayDecode(4));
        assertTrue(h.mayDecode(3), "a past round is not bounded");
    }
}
