package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Operations that keep native memory where it belongs. A DJL operation puts its result in the
 * manager of its first operand; results computed from parameters alone would pile up in the model's
 * manager, so forward passes hand them to the batch's manager with {@link #own}.
 */
public final class Ops {

    private Ops() {
    }

    /**
     * {@code x} times a constant. Use it instead of DJL's {@code mul(Number)}/{@code div(Number)} on
     * anything that takes part in a backward pass: those overloads hand PyTorch a scalar tensor backed by
     * a Java direct buffer and close it at once, while autograd keeps that tensor for the backward pass;
     * once the garbage collector frees the buffer, the gradients read freed memory (NaN or garbage, at
     * random). Here the constant is a tensor the engine owns ({@code torch.full}), in the manager of
     * {@code x}.
     */
    public static NDArray scale(NDArray x, double factor) {
        NDArray c = x.getManager().full(new Shape(), (float) factor, x.getDataType());
        return x.mul(c);
    }

    /** {@code x} divided by a constant; see {@link #scale} for why not DJL's {@code div(Number)}. */
    public static NDArray divide(NDArray x, double divisor) {
        NDArray c = x.getManager().full(new Shape(), (float) divisor, x.getDataType());
        return x.div(c);
    }

    /**
     * A constant array in {@code manager} whose memory the engine owns. {@code manager.create(values)}
     * wraps a Java direct buffer that lives only as long as the array's handle: an operation that saves
     * such an array for the backward pass (a matrix product with a trainable tensor) reads freed memory
     * once a {@link Scope} or manager has closed it and the garbage collector has run.
     */
    public static NDArray constant(NDManager manager, float[] values, Shape shape) {
        try (NDArray staged = manager.create(values, shape)) {
            return staged.duplicate();
        }
    }

    /**
     * A scope for the intermediate arrays of one step of a forward pass (a transformer block): DJL
     * frees arrays only when their manager closes, so without scopes every intermediate of a whole
     * forward pass would stay in memory until the batch ends (gigabytes for SAM at 1024 px). The
     * inputs are lent to a sub-manager, operations on them put their results there, {@link #keep}
     * moves the outputs back, and closing frees the rest. Tensors autograd still needs stay alive in
     * PyTorch's graph, so gradients are unaffected.
     */
    public static final class Scope implements AutoCloseable {

        private final NDManager parent;
        private final NDManager scope;

        private Scope(NDManager parent) {
            this.parent = parent;
            this.scope = parent.newSubManager();
        }

        /** Opens a scope under the manager of {@code inputs[0]} and lends it the inputs of that manager. */
        public static Scope open(NDArray... inputs) {
            Scope s = new Scope(inputs[0].getManager());
            for (NDArray a : inputs) {
                if (a != null && a.getManager() == s.parent) {
                    a.tempAttach(s.scope);
                }
            }
            return s;
        }

        /** Keeps {@code result} after the scope closes (in the manager the inputs came from). */
        public NDArray keep(NDArray result) {
            result.attach(parent);
            return result;
        }

        @Override
        public void close() {
            scope.close();
        }
    }

    /** Moves {@code array} into {@code manager} (freed with it) and returns it. */
    public static NDArray own(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    /**
     * ConvTranspose2d with kernel 2 and stride 2 on channels-last input, computed exactly as a
     * per-pixel matrix product to 4·Cout channels followed by a pixel shuffle (DJL's PyTorch engine
     * has no deconvolution). The weight keeps PyTorch's ConvTranspose layout {@code [Cin, Cout, 2, 2]}:
     * {@code out[b, 2i+di, 2j+dj, o] = bias[o] + sum_c x[b, i, j, c] * w[c, o, di, dj]}.
     *
     * @param x {@code [B, H, W, Cin]}
     * @param weight {@code [Cin, Cout, 2, 2]}
     * @param bias {@code [Cout]}
     * @return {@code [B, 2H, 2W, Cout]}, in the manager of {@code x}
     */
    public static NDArray convTranspose2x2(NDArray x, NDArray weight, NDArray bias) {
        long[] s = x.getShape().getShape();
        long b = s[0];
        long h = s[1];
        long w = s[2];
        long cin = s[3];
        long cout = weight.getShape().get(1);
        NDManager m = x.getManager();
        NDArray flatWeight = own(weight.reshape(cin, cout * 4), m);
        NDArray y = x.matMul(flatWeight).reshape(b, h, w, cout, 2, 2);
        if (bias != null) {
            y = y.add(own(bias.reshape(cout, 1, 1), m));
        }
        return y.transpose(0, 1, 4, 2, 5, 3).reshape(b, 2 * h, 2 * w, cout);
    }
}
