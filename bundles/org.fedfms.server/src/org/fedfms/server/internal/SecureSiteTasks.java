package org.fedfms.server.internal;

import static org.fedfms.wire.protocol.TaskMessage.SECAGG_INSTRUCTION;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.fedfms.api.Metrics;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.federation.SecureAggregationSite.MaskedFit;
import org.fedfms.secagg.KeyAdvertisement;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.SealedShare;
import org.fedfms.secagg.SecAggCodec;
import org.fedfms.secagg.SecureAggregationException;
import org.fedfms.secagg.ShareReveal;
import org.fedfms.secagg.SharedKeys;
import org.fedfms.secagg.UnmaskRequest;

import com.google.gson.JsonObject;

/**
 * The coordinator's side of secure aggregation with site agents. A task of kind {@code SECAGG_*} carries the
 * coordinator's message for the phase (the roster, the routed shares, the unmask request; {@link SecAggCodec}
 * bytes, base64) as its fit instruction {@value org.fedfms.wire.protocol.TaskMessage#SECAGG_INSTRUCTION}; the site
 * answers with {@code POST .../tasks/T/secagg}, an {@code application/octet-stream} body of {@link SecAggCodec}
 * bytes. The body is bounded before it is read (by the phase, the round's sites and the global model's size) and
 * read with the codec's bounds; its site must be the task's; a masked vector has exactly the global's values plus the weight, and its sample count (query
 * {@code samples}) at most the site's declared training samples; metrics come as {@code metric.<name>=<value>}.
 */
final class SecureSiteTasks {

    private static final String METRIC = "metric.";
    private static final int MAX_METRICS = 16;

    private final ServerLimits limits;

    SecureSiteTasks(ServerLimits limits) {
        this.limits = limits;
    }

    static boolean secure(SiteTask.Kind kind) {
        return kind.name().startsWith("SECAGG_");
    }

    /** The task, if a plain update may answer it: a secure task's update would reach the coordinator unmasked. */
    static SiteTask plain(SiteTask t) {
        if (secure(t.kind())) {
            throw new HttpError(409, t.describe() + " is a secure-aggregation task: its answer is POST .../secagg "
                    + "(masked), never a plain update");
        }
        return t;
    }

    /** {@code base} with the coordinator's message of the phase. */
    static FitInstructions with(FitInstructions base, byte[] payload) {
        Map<String, Object> m = new LinkedHashMap<>(base.values());
        m.put(SECAGG_INSTRUCTION, Base64.getEncoder().encodeToString(payload));
        return new FitInstructions(m);
    }

    private static byte[] payload(SiteTask t) {
        return Base64.getDecoder().decode((String) t.instructions().values().get(SECAGG_INSTRUCTION));
    }

    /** {@code POST .../tasks/T/secagg}: the site's answer to a secure-aggregation phase. */
    void answer(Request request, Response response, Callback callback, SiteConnection c, SiteTask t) {
        if (!secure(t.kind())) {
            throw new HttpError(409, t.describe() + " is not a secure-aggregation task: POST .../update");
        }
        int sites = switch (t.kind()) {
            case SECAGG_SHARES -> new SecAggCodec(Integer.MAX_VALUE, 1).readRoster(payload(t)).sites().size();
            case SECAGG_REVEAL -> {
                UnmaskRequest u = new SecAggCodec(Integer.MAX_VALUE, 1).readUnmaskRequest(payload(t));
                yield u.survivors().size() + u.dropped().size();
            }
            default -> 2;
        };
        long values = t.parameters() == null ? 1 : t.parameters().parameterCount();
        long most = switch (t.kind()) {
            case SECAGG_KEYS -> SecAggCodec.maxKeysBytes();
            case SECAGG_SHARES -> SecAggCodec.maxSharedKeysBytes(sites);
            case SECAGG_FIT -> SecAggCodec.maxMaskedBytes(values);
            default -> SecAggCodec.maxRevealBytes(sites);
        };
        long length = request.getLength();
        if (length < 0) {
            throw new HttpError(411, "a secure-aggregation answer needs a Content-Length");
        }
        if (length > most) {
            throw new HttpError(413, "secure-aggregation answer refused: " + length + " bytes exceed the "
                    + most + " bytes " + t.describe() + " may take");
        }
        byte[] body;
        try (InputStream in = new RateCheckedInput(Content.Source.asInputStream(request),
                limits.minUploadBytesPerSecond(), limits.uploadGraceSeconds(), System::nanoTime)) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException(body.length + " of " + length + " bytes");
            }
        } catch (RateCheckedInput.TooSlow e) {
            throw new HttpError(408, "secure-aggregation answer refused: " + e.getMessage());
        } catch (IOException e) {
            throw new HttpError(400, "secure-aggregation answer refused: the body ended early: " + e.getMessage());
        }
        Object answer;
        try {
            answer = read(c, t, body, Math.max(2, sites), values, request);
        } catch (SecureAggregationException e) {
            throw refused(c, t, LogText.of(e.getMessage()));
        }
        if (!t.result().complete(answer)) {
            throw new HttpError(409, t.describe() + " ended while its answer was read (stale)");
        }
        c.forget(t);
        JsonObject o = new JsonObject();
        o.addProperty("accepted", true);
        o.addProperty("bytes", length);
        HttpJson.json(response, callback, 200, o);
    }

    private static Object read(SiteConnection c, SiteTask t, byte[] body, int sites, long values, Request request) {
        SecAggCodec codec = new SecAggCodec(sites, (int) Math.min(Integer.MAX_VALUE - 1, values));
        String site = c.siteId();
        switch (t.kind()) {
            case SECAGG_KEYS -> {
                KeyAdvertisement k = codec.readKeys(body);
                requireSite(k.site(), site);
                return k;
            }
            case SECAGG_SHARES -> {
                SharedKeys k = codec.readSharedKeys(body);
                requireSite(k.site(), site);
                Roster roster = new SecAggCodec(Integer.MAX_VALUE, 1).readRoster(payload(t));
                Set<String> to = new HashSet<>();
                for (SealedShare s : k.shares()) {
                    if (!roster.sites().contains(s.to()) || s.to().equals(site) || !to.add(s.to())) {
                        throw new SecureAggregationException("a share for '" + s.to() + "', which is not another "
                                + "site of the round's roster, or twice");
                    }
                }
                return k;
            }
            case SECAGG_FIT -> {
                MaskedInput m = codec.readMaskedInput(body);
                requireSite(m.site(), site);
                if (m.values().length != values + 1) {
                    throw new SecureAggregationException("the masked vector has " + m.values().length
                            + " values; the global model has " + values + " (plus the weight)");
                }
                Fields q = Request.extractQueryParameters(request);
                long samples;
                try {
                    samples = Long.parseLong(String.valueOf(q.getValue("samples")));
                } catch (NumberFormatException e) {
                    samples = -1;
                }
                if (samples < 1 || samples > c.info().trainSamples()) {
                    throw new SecureAggregationException("'samples' " + samples + " is outside 1.."
                            + c.info().trainSamples() + " (the training samples site '" + site + "' declared)");
                }
                return new MaskedFit(m, samples, metrics(q));
            }
            default -> {
                ShareReveal r = codec.readReveal(body);
                requireSite(r.site(), site);
                return r;
            }
        }
    }

    private static Metrics metrics(Fields q) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Fields.Field f : q) {
            if (!f.getName().startsWith(METRIC)) {
                continue;
            }
            String name = f.getName().substring(METRIC.length());
            if (name.isEmpty() || LogText.hasControl(name) || m.size() >= MAX_METRICS) {
                throw new SecureAggregationException("metric '" + LogText.of(name) + "' refused (at most "
                        + MAX_METRICS + ", named without control characters)");
            }
            double v;
            try {
                v = Double.parseDouble(f.getValue());
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            if (!Double.isFinite(v)) {
                throw new SecureAggregationException("metric '" + name + "' is not a finite number");
            }
            m.put(name, v);
        }
        return new Metrics(m);
    }

    private static void requireSite(String sent, String site) {
        if (!sent.equals(site)) {
            throw new SecureAggregationException("the message is from site '" + sent + "', not '" + site + "'");
        }
    }

    /** Fails the task (the site drops out of the round) and answers 422 naming why. */
    private static HttpError refused(SiteConnection c, SiteTask t, String why) {
        String message = "secure-aggregation answer refused: " + why + "; " + t.describe() + " fails";
        t.result().completeExceptionally(new IllegalStateException(message));
        c.forget(t);
        return new HttpError(422, message);
    }
}
