package org.fedfms.server.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.wire.HeaderCheck;
import org.fedfms.wire.MessageKind;
import org.fedfms.wire.WireDecoder;
import org.fedfms.wire.WireEncoder;
import org.fedfms.wire.WireFormatException;
import org.fedfms.wire.WireLayoutException;
import org.fedfms.wire.WireLimits;
import org.fedfms.wire.WireMessage;
import org.fedfms.wire.protocol.DeltaTransfer;

import com.google.gson.JsonObject;

/**
 * The binary side of the site API: the parameters a task's site downloads (written asynchronously from bytes
 * encoded once per round) and the update it uploads (decoded in one of the upload slots, checked against the
 * task, screened for non-finite values, handed to the round).
 */
final class ParameterTransfers {

    private static final System.Logger LOG = System.getLogger(ParameterTransfers.class.getName());

    private final CoordinatorConfig config;
    private final CoordinatorMetrics metrics;
    private final UploadGate uploads;
    private final Function<String, HeldUpdates> held;
    private final WireDecoder decoder;
    private final SharedDownloads downloads = new SharedDownloads(WireEncoder.fp32());
    private final CodedTransfers coded = new CodedTransfers();
    private final java.util.Set<String> uploading = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ParameterTransfers(CoordinatorConfig config, CoordinatorMetrics metrics, Function<String, HeldUpdates> held) {
        this.config = config;
        this.metrics = metrics;
        this.held = held;
        this.uploads = new UploadGate(config.maxConcurrentUploads());
        this.decoder = new WireDecoder(WireLimits.defaults().withMaxMessageBytes(config.maxUploadBytes()));
    }

    /** Drops the encoded downloads of an experiment that stopped. */
    void forget(String experiment) {
        downloads.forget(experiment);
        coded.forget(experiment);
    }

    void download(Request request, Response response, Callback callback, SiteTask t) {
        if (t.parameters() == null) {
            throw new HttpError(404, t.describe() + " has no parameters to download");
        }
        if (CodedTransfers.coded(t)) {
            String holds = Request.extractQueryParameters(request).getValue(DeltaTransfer.HOLDS_QUERY);
            CodedTransfers.Download d = coded.download(t, holds == null ? null : DeltaTransfer.digest(holds,
                    "query parameter '" + DeltaTransfer.HOLDS_QUERY + "'"));
            if (d.base() != null) {
                response.getHeaders().put(DeltaTransfer.BASE_HEADER, d.base());
            }
            send(response, callback, d.message());
            return;
        }
        send(response, callback, downloads.get(t.experiment(), t.round(), t.parameters()));
    }

    /** Sends an encoded message. */
    void send(Response response, Callback callback, SharedDownloads.Encoded message) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, message.size());
        // written asynchronously, chunk after chunk, from the shared bytes: no thread waits on a slow site
        List<byte[]> chunks = message.chunks();
        new IteratingCallback() {
            private int next;

            @Override
            protected Action process() {
                if (next == chunks.size()) {
                    return Action.SUCCEEDED;
                }
                byte[] chunk = chunks.get(next++);
                response.write(next == chunks.size(), ByteBuffer.wrap(chunk), this);
                return Action.SCHEDULED;
            }

            @Override
            protected void onCompleteSuccess() {
                metrics.bytesOut.add(message.size());
                callback.succeeded();
            }

            @Override
            protected void onCompleteFailure(Throwable cause) {
                callback.failed(cause);
            }
        }.iterate();
    }

    void upload(Request request, Response response, Callback callback, SiteConnection c, SiteTask t)
            throws InterruptedException {
        if (t.kind() == SiteTask.Kind.EVALUATE) {
            throw rejected(409, t.describe() + " asks for an evaluation: POST .../evaluation, not an update");
        }
        long length = request.getLength();
        if (length < 0) {
            throw rejected(411, "an update needs a Content-Length");
        }
        if (length > config.maxUploadBytes()) {
            throw rejected(413, "the update of " + length + " bytes exceeds the limit of " + config.maxUploadBytes()
                    + " bytes (limits.maxUploadBytes)");
        }
        if (!uploading.add(t.id())) {
            throw rejected(409, "an update of " + t.describe() + " is being received already: one upload per task");
        }
        try {
            receive(request, response, callback, c, t, length);
        } finally {
            uploading.remove(t.id());
        }
    }

    private void receive(Request request, Response response, Callback callback, SiteConnection c, SiteTask t,
            long length) throws InterruptedException {
        // waits its turn rather than being refused: a site refused with a large body unread would see its
        // connection reset, not the answer. Waiting is not idleness; the wait ends with the task at the latest.
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        long idleTimeout = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout(0);
        boolean slot;
        try {
            HeldUpdates h = held.apply(t.experiment());
            slot = uploads.acquire(t::open, () -> h.mayDecode(t.round()));
        } finally {
            endPoint.setIdleTimeout(idleTimeout);
            notIdle(endPoint);
        }
        if (!slot) {
            throw rejected(409, t.describe() + " ended while the update waited for one of the "
                    + config.maxConcurrentUploads() + " upload slots (limits.concurrentUploads); it is stale");
        }
        WireMessage m;
        int[] status = {400};
        try {
            HeaderCheck check = HeaderCheck.messageBytes(length).and(identity(c, t, status));
            if (t.parameters() != null) {
                check = check.and(HeaderCheck.layoutOf(t.parameters()));
            }
            ServerLimits limits = config.limits();
            try (InputStream in = new RateCheckedInput(Content.Source.asInputStream(request),
                    limits.minUploadBytesPerSecond(), limits.uploadGraceSeconds(), System::nanoTime)) {
                m = decoder.decode(in, check);
            }
        } catch (RateCheckedInput.TooSlow e) {
            throw rejected(408, "update refused: " + e.getMessage());
        } catch (WireLayoutException e) {
            throw rejected(422, "update refused: " + e.getMessage());
        } catch (EOFException e) {
            throw rejected(400, "update refused: the message ended early (truncated): " + e.getMessage());
        } catch (IOException e) {
            throw rejected(status[0], "update refused: " + e.getMessage());
        } finally {
            uploads.release();
        }
        metrics.bytesIn.add(length);
        ParameterSet parameters;
        try {
            // screened here, in the upload's thread, once: the strategy's UpdateCheck on the round thread
            // then finds the set screened rather than passing over its values again
            parameters = m.parameters().screenedFinite();
        } catch (IllegalArgumentException bad) {
            throw rejected(422, "update refused: it holds a non-finite value: " + bad.getMessage());
        }
        if (parameters.isEmpty()) {
            throw rejected(422, "update refused: it holds no tensors");
        }
        parameters = deltaApplied(request, t, parameters);
        checkMagnitudes(c, parameters);
        if (t.kind() == SiteTask.Kind.FIT && m.sampleCount() > c.info().trainSamples()) {
            throw rejected(422, "update refused: site '" + c.siteId() + "' reports " + m.sampleCount()
                    + " samples but declared " + c.info().trainSamples() + " training samples when it joined");
        }
        for (Map.Entry<String, Double> e : m.metrics().values().entrySet()) {
            if (LogText.hasControl(e.getKey())) {
                throw rejected(422, "update refused: metric name '" + e.getKey() + "' holds a control character");
            }
            if (!Double.isFinite(e.getValue())) {
                throw rejected(422, "update refused: metric '" + e.getKey() + "' is not finite");
            }
        }
        if (!t.result().complete(new FitResult(c.siteId(), parameters, m.sampleCount(), m.metrics()))) {
            throw rejected(409, t.describe() + " ended while the update was read (stale)");
        }
        held.apply(t.experiment()).handedOver(t.round(), c.siteId());
        c.forget(t);
        metrics.updatesAccepted.increment();
        JsonObject o = new JsonObject();
        o.addProperty("accepted", true);
        o.addProperty("bytes", length);
        HttpJson.json(response, callback, 200, o);
    }

    /** The update as the site meant it: a delta (the request names its base) added to the global the site was sent. */
    private ParameterSet deltaApplied(Request request, SiteTask t, ParameterSet decoded) {
        String base = request.getHeaders().get(DeltaTransfer.BASE_HEADER);
        try {
            return coded.update(t, base == null ? null : DeltaTransfer.digest(base, "header "
                    + DeltaTransfer.BASE_HEADER), decoded);
        } catch (org.fedfms.wire.protocol.ProtocolException e) {
            throw rejected(400, "update refused: " + e.getMessage());
        } catch (IllegalStateException e) {
            throw rejected(409, "update refused: " + e.getMessage());
        }
    }

    /** Refuses values whose magnitude passes {@code limits.maxAbsParameter}: no site can overflow a round's sum. */
    private void checkMagnitudes(SiteConnection c, ParameterSet parameters) {
        double max = config.limits().maxAbsParameter();
        for (org.fedfms.api.Tensor tensor : parameters.tensors()) {
            if (LogText.hasControl(tensor.name())) {
                throw rejected(422, "update refused: tensor name '" + tensor.name() + "' holds a control character");
            }
            float[] v = tensor.values();
            for (int i = 0; i < v.length; i++) {
                if (Math.abs(v[i]) > max) {
                    throw rejected(422, "update refused: site '" + c.siteId() + "' sent " + v[i] + " in tensor '"
                            + tensor.name() + "' (index " + i + "), beyond the largest magnitude "
                            + max + " (limits.maxAbsParameter)");
                }
            }
        }
    }

    /** Restarts the idle clock of the connection's end points (a restored idle timeout would otherwise fire). */
    private static void notIdle(org.eclipse.jetty.io.EndPoint endPoint) {
        org.eclipse.jetty.io.EndPoint e = endPoint;
        while (e != null) {
            if (e instanceof org.eclipse.jetty.io.IdleTimeout idle) {
                idle.notIdle();
            }
            e = e instanceof org.eclipse.jetty.io.EndPoint.Wrapper w ? w.unwrap() : null;
        }
    }

    private static HeaderCheck identity(SiteConnection c, SiteTask t, int[] status) {
        return h -> {
            if (h.kind() != MessageKind.UPDATE) {
                throw new WireFormatException("the message is a " + h.kind() + " message, not an UPDATE");
            }
            if (!h.siteId().equals(c.siteId())) {
                status[0] = 403;
                throw new WireFormatException("the update says it comes from site '" + h.siteId()
                        + "' but was sent by site '" + c.siteId() + "'");
            }
            if (!h.experimentId().equals(t.experiment())) {
                status[0] = 409;
                throw new WireFormatException("the update is for experiment '" + h.experimentId() + "' but "
                        + t.describe() + " is for '" + t.experiment() + "'");
            }
            if (h.round() != t.round()) {
                status[0] = 409;
                throw new WireFormatException("stale update: it is for round " + h.round() + " but "
                        + t.describe() + " is for round " + t.round());
            }
        };
    }

    private HttpError rejected(int status, String message) {
        metrics.updatesRejected.increment();
        LOG.log(System.Logger.Level.WARNING, LogText.of(message));
        return new HttpError(status, message);
    }
}
