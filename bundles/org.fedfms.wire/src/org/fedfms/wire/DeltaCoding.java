package org.fedfms.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.wire.internal.BlockCodec;

/**
 * Updates that travel as deltas with error feedback: a site sends {@code update − global + residual}
 * coded lossily (top-k, quantized), and keeps as its new residual what the coding left out, so that
 * nothing it computed is lost, only delayed. One code path for the site agent and the in-process
 * simulation; the receiver adds the decoded delta to the global the site started from.
 */
public final class DeltaCoding {

    private DeltaCoding() {
    }

    /**
     * One round of error feedback.
     *
     * @param toSend the accumulated delta to encode (with the same coding)
     * @param received what the receiver decodes from it
     * @param residual what was not sent, to add next round
     */
    public record Step(ParameterSet toSend, ParameterSet received, ParameterSet residual) {
    }

    /**
     * Computes what to send for {@code update} trained from {@code global}, given the residual of the
     * last round ({@code null} or empty for none).
     *
     * @throws IllegalArgumentException if the layouts differ (names or shapes), naming the tensor
     */
    public static Step step(ParameterSet update, ParameterSet global, ParameterSet residual,
            Function<? super Tensor, TensorCoding> codingOf) {
        List<Tensor> send = new ArrayList<>();
        List<Tensor> received = new ArrayList<>();
        List<Tensor> kept = new ArrayList<>();
        for (Tensor u : update.tensors()) {
            float[] g = matching(global, u, "the global parameters").values();
            float[] r = residual == null || residual.tensorCount() == 0 ? null
                    : matching(residual, u, "the residual").values();
            float[] uv = u.values();
            float[] acc = new float[uv.length];
            for (int i = 0; i < acc.length; i++) {
                acc[i] = uv[i] - g[i] + (r == null ? 0 : r[i]);
            }
            Tensor a = Tensor.of(u.name(), u.shape(), acc);
            float[] got = BlockCodec.roundTrip(u.name(), acc, codingOf.apply(a));
            float[] rest = new float[acc.length];
            for (int i = 0; i < acc.length; i++) {
                rest[i] = acc[i] - got[i];
            }
            send.add(a);
            received.add(Tensor.of(u.name(), u.shape(), got));
            kept.add(Tensor.of(u.name(), u.shape(), rest));
        }
        return new Step(ParameterSet.of(send), ParameterSet.of(received), ParameterSet.of(kept));
    }

    /** {@code base + delta}, tensor by tensor (the layouts must match). */
    public static ParameterSet apply(ParameterSet base, ParameterSet delta) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor d : delta.tensors()) {
            float[] b = matching(base, d, "the base parameters").values();
            float[] dv = d.values();
            float[] v = new float[dv.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = b[i] + dv[i];
            }
            out.add(Tensor.of(d.name(), d.shape(), v));
        }
        return ParameterSet.of(out);
    }

    /** {@code a − b}, tensor by tensor (the layouts must match). */
    public static ParameterSet difference(ParameterSet a, ParameterSet b) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : a.tensors()) {
            float[] bv = matching(b, t, "the base parameters").values();
            float[] av = t.values();
            float[] v = new float[av.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = av[i] - bv[i];
            }
            out.add(Tensor.of(t.name(), t.shape(), v));
        }
        return ParameterSet.of(out);
    }

    /** What a receiver decodes from {@code p} encoded with {@code codingOf} (a new set). */
    public static ParameterSet received(ParameterSet p, Function<? super Tensor, TensorCoding> codingOf) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : p.tensors()) {
            out.add(Tensor.of(t.name(), t.shape(), BlockCodec.roundTrip(t.name(), t.values(), codingOf.apply(t))));
        }
        return ParameterSet.of(out);
    }

    private static Tensor matching(ParameterSet p, Tensor like, String what) {
        Tensor t = p.contains(like.name()) ? p.get(like.name()) : null;
        if (t == null || !t.sameShape(like)) {
            throw new IllegalArgumentException("tensor '" + like.name() + "' " + like.shapeText() + " is "
                    + (t == null ? "missing from " + what : t.shapeText() + " in " + what));
        }
        return t;
    }
}
