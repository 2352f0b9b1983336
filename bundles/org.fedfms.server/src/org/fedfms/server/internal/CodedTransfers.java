package org.fedfms.server.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.wire.DeltaCoding;
import org.fedfms.wire.ParameterDigest;
import org.fedfms.wire.TensorCoding;
import org.fedfms.wire.TransferEncoding;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireMessage;

/**
 * The coordinator's side of an experiment's {@link TransferEncoding} for site agents, with the codec the in-process
 * simulation uses ({@link DeltaCoding}; protocol in {@link org.fedfms.wire.protocol.DeltaTransfer}). It keeps, per
 * experiment and site, the global the site holds as the coordinator sent it (what the site decoded): a lossy
 * download is a delta against it when the site names it, else the parameters in full; an update that is a delta
 * is added to it. Full coded downloads are encoded once per experiment and round. Thread-safe.
 */
final class CodedTransfers {

    /**
     * A download to send.
     *
     * @param message the encoded message
     * @param base the digest of the global it is a delta against, or {@code null} when it is in full
     */
    record Download(SharedDownloads.Encoded message, String base) {
    }

    private record Held(ParameterSet parameters, String digest) {
    }

    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<TensorCoding, SharedDownloads> full = new ConcurrentHashMap<>();

    /** Whether {@code t}'s parameters travel otherwise than in fp32 both ways. */
    static boolean coded(SiteTask t) {
        return !encoding(t).equals(TransferEncoding.FP32);
    }

    static TransferEncoding encoding(SiteTask t) {
        return TransferEncoding.parse(t.spec().sharing().encoding());
    }

    /**
     * The parameters of {@code t} coded for its site, which holds the global with digest {@code holds} (or
     * {@code null}): a delta against it when the coding is lossy and the coordinator's record agrees.
     */
    Download download(SiteTask t, String holds) {
        TransferEncoding encoding = encoding(t);
        ParameterSet p = t.parameters();
        String key = key(t.experiment(), t.siteId());
        Held h = held.get(key);
        boolean track = encoding.deltaDown() || encoding.deltaUp();
        if (encoding.deltaDown() && h != null && h.digest().equals(holds) && h.parameters().layoutDifferences(p)
                .isEmpty()) {
            ParameterSet delta = DeltaCoding.difference(p, h.parameters());
            held.put(key, held(DeltaCoding.apply(h.parameters(), DeltaCoding.received(delta, x -> encoding.down()))));
            SharedDownloads encoder = shared(encoding.down());
            return new Download(encoder.encode(WireMessage.global(t.experiment(), t.round(), "", delta)), h.digest());
        }
        if (track) {
            held.put(key, held(DeltaCoding.received(p, x -> encoding.down())));
        }
        return new Download(shared(encoding.down()).get(t.experiment(), t.round(), p), null);
    }

    /**
     * The update of {@code t} as the site meant it: {@code decoded} added to the global the site was sent, when the
     * site says it is a delta against that ({@code base}), else {@code decoded} itself.
     *
     * @throws IllegalStateException when the coordinator sent the site no global with that digest
     */
    ParameterSet update(SiteTask t, String base, ParameterSet decoded) {
        if (base == null) {
            return decoded;
        }
        Held h = held.get(key(t.experiment(), t.siteId()));
        if (h == null || !h.digest().equals(base)) {
            throw new IllegalStateException("the update of " + t.describe() + " is a delta against the global with "
                    + "digest " + base + ", but the coordinator last sent site '" + t.siteId() + "' "
                    + (h == null ? "no coded global" : "the global with digest " + h.digest()));
        }
        if (!h.parameters().layoutDifferences(decoded).isEmpty()) {
            throw new IllegalStateException("the update of " + t.describe() + " does not match the layout of the "
                    + "global it is a delta against: " + h.parameters().layoutDifferences(decoded));
        }
        return DeltaCoding.apply(h.parameters(), decoded);
    }

    /** Forgets what the sites of {@code experiment} hold (its run ended: the next download is in full). */
    void forget(String experiment) {
        held.keySet().removeIf(k -> k.startsWith(experiment + "\n"));
        full.values().forEach(s -> s.forget(experiment));
    }

    private SharedDownloads shared(TensorCoding coding) {
        return full.computeIfAbsent(coding, c -> new SharedDownloads(WireEncoder.coded(c)));
    }

    private static Held held(ParameterSet p) {
        return new Held(p, ParameterDigest.sha256(p));
    }

    private static String key(String experiment, String site) {
        return experiment + "\n" + site;
    }
}
