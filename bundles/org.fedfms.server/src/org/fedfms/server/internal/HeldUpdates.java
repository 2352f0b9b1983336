package org.fedfms.server.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * The decoded updates of one experiment's round that the federation engine has not yet folded in. The
 * engine folds a remote round's updates in the order they arrive (the coordinator
 * {@linkplain org.fedfms.federation.SiteProvider#aggregatesInArrivalOrder() asks for that}), so every held
 * update is one it can take next; {@link #mayDecode} lets an upload be decoded only while fewer than
 * {@code limit} are held, which bounds the memory of a round whatever the number of sites, and the engine's
 * progress frees the next. Learns the round and the progress from the engine's events. Thread-safe.
 */
public final class HeldUpdates {

    private final int limit;
    private final Set<String> finished = new HashSet<>();
    private final Set<String> held = new HashSet<>();
    private int round = -1;

    public HeldUpdates(int limit) {
        this.limit = limit;
    }

    /** The engine started {@code round}. */
    public synchronized void roundStarted(int round) {
        this.round = round;
        finished.clear();
        held.clear();
    }

    /** The engine is done with the site's update of the round (folded in, or failed). */
    public synchronized void siteFinished(int round, String siteId) {
        if (round == this.round) {
            finished.add(siteId);
            held.remove(siteId);
        }
    }

    /** The site's update of the round was decoded and handed to the engine. */
    public synchronized void handedOver(int round, String siteId) {
        if (round == this.round && !finished.contains(siteId)) {
            held.add(siteId);
        }
    }

    /** Decoded updates of the round the engine has not yet folded in. */
    public synchronized int held(int round) {
        return round == this.round ? held.size() : 0;
    }

    /** Whether an update of the round may be decoded now. */
    public synchronized boolean mayDecode(int round) {
        return round != this.round || held.size() < limit;
    }
}
