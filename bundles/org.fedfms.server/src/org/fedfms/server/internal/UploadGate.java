package org.fedfms.server.internal;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * The slots that bound the updates decoded at once. A free slot goes to the waiting upload of the site that
 * comes first in the configured order, which is the order the federation engine accepts updates in (the
 * chosen sites keep the candidates' order): updates that arrive together are then decoded in the order they
 * are aggregated, and few wait, decoded, for an earlier site. A waiting upload is held back by TCP flow
 * control, not buffered.
 */
final class UploadGate {

    private record Waiter(int rank, long ticket, BooleanSupplier ready) {
    }

    private final int slots;
    private final TreeSet<Waiter> waiting = new TreeSet<>(Comparator.comparingInt(Waiter::rank)
            .thenComparingLong(Waiter::ticket));
    private int used;
    private long tickets;

    UploadGate(int slots) {
        this.slots = slots;
    }

    /**
     * Takes a slot for an upload of the site at {@code rank}, waiting while {@code open} holds.
     *
     * @return whether a slot was taken; {@code false} if {@code open} stopped holding first
     */
    synchronized boolean acquire(int rank, BooleanSupplier open) throws InterruptedException {
        return acquire(rank, open, () -> true);
    }

    /**
     * Takes a slot for an upload of the site at {@code rank} once {@code ready} holds, waiting while
     * {@code open} holds; the slot goes to the first waiter in rank order that is ready.
     *
     * @return whether a slot was taken; {@code false} if {@code open} stopped holding first
     */
    synchronized boolean acquire(int rank, BooleanSupplier open, BooleanSupplier ready) throws InterruptedException {
        Waiter me = new Waiter(rank, tickets++, ready);
        waiting.add(me);
        try {
            while (open.getAsBoolean()) {
                if (used < slots && firstReady() == me) {
                    used++;
                    return true;
                }
                wait(100);
            }
            return false;
        } finally {
            waiting.remove(me);
            notifyAll();
        }
    }

    private Waiter firstReady() {
        for (Waiter w : waiting) {
            if (w.ready().getAsBoolean()) {
                return w;
            }
        }
        return null;
    }

    /** Gives a slot back. */
    synchronized void release() {
        used--;
        notifyAll();
    }
}
