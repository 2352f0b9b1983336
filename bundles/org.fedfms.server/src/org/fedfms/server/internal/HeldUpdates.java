package org.fedfms.server.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The decoded updates of one experiment's round that the federation engine has not yet folded in. The engine
 * folds them in the order of the round's chosen sites, so an update decoded before an earlier site's waits in
 * memory; {@link #mayDecode} lets an upload be decoded only while fewer than {@code limit} are held, or when
 * its site is the next the engine waits for. When the engine has made no progress for {@code stallMillis}
 * (the next site is slow or gone), every upload may be decoded, so that the others do not miss the round.
 * Learns the order and the progress from the engine's events. Thread-safe.
 */
public final class HeldUpdates {

    private final int limit;
    private final long stallMillis;
    private final LongSupplier clockMillis;
    private final Set<String> finished = new HashSet<>();
    private final Set<String> held = new HashSet<>();
    private int round = -1;
    private List<String> order = List.of();
    private long progressMillis;

    public HeldUpdates(int limit, long stallMillis, LongSupplier clockMillis) {
        this.limit = limit;
        this.stallMillis = stallMillis;
        this.clockMillis = clockMillis;
    }

    /** The engine chose {@code sites}, in the order it folds their updates in. */
    public synchronized void roundStarted(int round, List<String> sites) {
        this.round = round;
        this.order = new ArrayList<>(sites);
        finished.clear();
        held.clear();
        progressMillis = clockMillis.getAsLong();
    }

    /** The engine is done with the site's update of the round (folded in, or failed). */
    public synchronized void siteFinished(int round, String siteId) {
        if (round == this.round) {
            finished.add(siteId);
            held.remove(siteId);
            progressMillis = clockMillis.getAsLong();
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

    /** Whether the site's update of the round may be decoded now. */
    public synchronized boolean mayDecode(int round, String siteId) {
        if (round != this.round || held.size() < limit || !order.contains(siteId)
                || clockMillis.getAsLong() - progressMillis >= stallMillis) {
            return true;
        }
        for (String s : order) {
            if (!finished.contains(s)) {
                return s.equals(siteId);
            }
        }
        return true;
    }
}
