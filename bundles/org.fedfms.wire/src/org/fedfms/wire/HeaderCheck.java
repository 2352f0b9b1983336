package org.fedfms.wire;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * A test a {@link WireDecoder} applies to a message's header before it reads the payload, so that a
 * wrong message is refused before its tensors are allocated or its bytes read. The header is not yet
 * covered by the checksum at that point; a message is returned only if its checksum holds too.
 */
@FunctionalInterface
public interface HeaderCheck {

    /** Accepts every header. */
    HeaderCheck NONE = header -> { };

    /**
     * Throws if the header is not acceptable.
     *
     * @throws WireFormatException saying what is wrong
     */
    void check(WireHeader header) throws WireFormatException;

    /** This check, then {@code next}. */
    default HeaderCheck and(HeaderCheck next) {
        Objects.requireNonNull(next, "next");
        return header -> {
            check(header);
            next.check(header);
        };
    }

    /**
     * Requires exactly the tensor names (in any order) and shapes of {@code expected}; dtypes may
     * differ. Fails with a {@link WireLayoutException} listing the differences.
     */
    static HeaderCheck layoutOf(ParameterSet expected) {
        Map<String, int[]> shapes = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (Tensor t : expected.tensors()) {
            shapes.put(t.name(), t.shape());
            order.add(t.name());
        }
        return header -> {
            List<String> diffs = new ArrayList<>();
            Map<String, TensorEntry> got = new HashMap<>();
            for (TensorEntry e : header.tensors()) {
                got.put(e.name(), e);
            }
            for (String name : order) {
                TensorEntry e = got.get(name);
                if (e == null) {
                    diffs.add("missing '" + name + "'");
                } else if (!Arrays.equals(e.shape(), shapes.get(name))) {
                    diffs.add("'" + name + "' has shape " + e.shapeText() + ", expected "
                            + Arrays.toString(shapes.get(name)));
                }
            }
            for (TensorEntry e : header.tensors()) {
                if (!shapes.containsKey(e.name())) {
                    diffs.add("unexpected '" + e.name() + "'");
                }
            }
            if (!diffs.isEmpty()) {
                int shown = Math.min(diffs.size(), 10);
                String text = String.join("; ", diffs.subList(0, shown))
                        + (diffs.size() > shown ? "; and " + (diffs.size() - shown) + " more" : "");
                throw new WireLayoutException("tensors do not match the expected layout (" + diffs.size()
                        + " difference" + (diffs.size() == 1 ? "" : "s") + "): " + text, diffs);
            }
        };
    }

    /**
     * Requires the header to declare a message of exactly {@code actualBytes} (e.g. an HTTP
     * Content-Length or a file size), so a header that claims more than was sent is refused before
     * anything is allocated.
     */
    static HeaderCheck messageBytes(long actualBytes) {
        return header -> {
            if (header.messageBytes() != actualBytes) {
                throw new WireFormatException("header declares a message of " + header.messageBytes()
                        + " bytes but " + actualBytes + " bytes were sent");
            }
        };
    }
}
