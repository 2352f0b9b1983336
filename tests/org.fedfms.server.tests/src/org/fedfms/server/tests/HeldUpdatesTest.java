package org.fedfms.server.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.fedfms.server.internal.HeldUpdates;
import org.junit.jupiter.api.Test;

/** Decoded updates waiting for the engine are bounded, except for the site it waits for, or when it stalls. */
class HeldUpdatesTest {

    @Test
    void boundsTheUpdatesWaitingForAnEarlierSite() {
        AtomicLong now = new AtomicLong(1_000);
        HeldUpdates h = new HeldUpdates(2, 10_000, now::get);
        assertTrue(h.mayDecode(1, "s3"), "before the round is known, nothing waits");
        h.roundStarted(1, List.of("s0", "s1", "s2", "s3", "s4"));
        assertTrue(h.mayDecode(1, "s3"));
        h.handedOver(1, "s2");
        h.handedOver(1, "s3");
        assertEquals(2, h.held(1));
        assertFalse(h.mayDecode(1, "s4"), "two are held for s0");
        assertFalse(h.mayDecode(1, "s1"), "s1 is not the site the engine waits for");
        assertTrue(h.mayDecode(1, "s0"), "the site the engine waits for always may");
        assertTrue(h.mayDecode(2, "s4"), "another round is not bounded by this one");
        assertTrue(h.mayDecode(1, "stranger"), "a site outside the round's order is not held back");

        h.siteFinished(1, "s0");
        assertFalse(h.mayDecode(1, "s4"));
        assertTrue(h.mayDecode(1, "s1"), "now s1 is next");
        h.handedOver(1, "s1");
        h.siteFinished(1, "s1");
        h.siteFinished(1, "s2");
        assertEquals(1, h.held(1));
        assertTrue(h.mayDecode(1, "s4"), "one held: room for another");

        h.siteFinished(1, "s4");
        h.handedOver(1, "s4");
        assertEquals(1, h.held(1), "an update the engine is already done with is not held");
    }

    @Test
    void letsEveryoneThroughWhenTheEngineStalls() {
        AtomicLong now = new AtomicLong(0);
        HeldUpdates h = new HeldUpdates(1, 10_000, now::get);
        h.roundStarted(3, List.of("a", "b", "c"));
        h.handedOver(3, "b");
        now.set(9_999);
        assertFalse(h.mayDecode(3, "c"), "'a' is awaited and 'b' is held");
        now.set(10_000);
        assertTrue(h.mayDecode(3, "c"), "no progress for the stall time: 'a' may be gone");
        h.siteFinished(3, "a");
        assertFalse(h.mayDecode(3, "c"), "progress again: the bound holds again");
        h.roundStarted(4, List.of("a", "b", "c"));
        assertEquals(0, h.held(4));
        assertEquals(0, h.held(3));
        assertTrue(h.mayDecode(4, "c"));
    }
}
