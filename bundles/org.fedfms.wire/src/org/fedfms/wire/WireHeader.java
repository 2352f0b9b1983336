package org.fedfms.wire;

import java.util.List;
import java.util.Objects;

import org.fedfms.api.Metrics;

/**
 * What a message declares before its payload: decoded, checked against the limits, but not yet
 * covered by the checksum (that is verified after the payload). A {@link HeaderCheck} sees it and can
 * reject a message before its tensors are allocated.
 *
 * @param formatVersion the wire format version of the message
 * @param experimentId see {@link WireMessage#experimentId()}
 * @param round see {@link WireMessage#round()}
 * @param siteId see {@link WireMessage#siteId()}
 * @param kind see {@link WireMessage#kind()}
 * @param sampleCount see {@link WireMessage#sampleCount()}
 * @param metrics see {@link WireMessage#metrics()}
 * @param tensors the tensor directory, in payload order
 * @param messageBytes the size of the whole message as the header declares it
 */
public record WireHeader(int formatVersion, String experimentId, int round, String siteId, MessageKind kind,
        long sampleCount, Metrics metrics, List<TensorEntry> tensors, long messageBytes) {

    public WireHeader {
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(siteId, "siteId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(metrics, "metrics");
        tensors = List.copyOf(tensors);
    }

    /** Total number of values over all tensors. */
    public long parameterCount() {
        long n = 0;
        for (TensorEntry t : tensors) {
            n += t.elementCount();
        }
        return n;
    }

    /** Bytes of the payload (all tensors' values). */
    public long payloadBytes() {
        long n = 0;
        for (TensorEntry t : tensors) {
            n += t.payloadBytes();
        }
        return n;
    }
}
