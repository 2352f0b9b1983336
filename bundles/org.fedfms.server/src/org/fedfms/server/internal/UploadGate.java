package org.fedfms.server.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.BooleanSupplier;

/**
 * The slots that bound the updates decoded at once. A free slot goes to the longest-waiting upload that is
 * ready. A waiting upload is held back by TCP flow control, not buffered.
 */
final class UploadGate {

    private record Waiter(BooleanSupplier ready) {
    }

    private final int slots;
    private final Deque<Waiter> waiting = new ArrayDeque<>();
    private int used;

    UploadGate(int slots) {
        this.slots = slots;
    }

    /**
     * Takes a slot once {@code ready} holds, waiting while {@code open} holds; the slot goes to the
     * longest-waiting upload that is ready.
     *
     * @return whether a slot was taken; {@code false} if {@code open} stopped holding first
     */
    synchronized boolean acquire(BooleanSupplier open, BooleanSupplier ready) throws InterruptedException {
        Waiter me = new Waiter(ready);
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
