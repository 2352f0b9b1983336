package org.fedfms.wire;

import java.util.Objects;

/**
 * How an experiment's parameters travel, per direction: {@code up} for the sites' updates, {@code down}
 * for the global model. A lossy upload coding (quantized or top-k) sends the update as a delta against
 * the global the site started from, with error feedback; a lossy download coding sends the global as a
 * delta against the last global the site holds (in full when it holds none).
 *
 * <p>Text form: {@code up=CODING,down=CODING} (either part may be left out: fp32), or one
 * {@link TensorCoding} for both directions; empty is fp32 both ways. Example:
 * {@code up=topk:0.01+int8,down=int8}.
 *
 * @param up the coding of updates
 * @param down the coding of the global model
 */
public record TransferEncoding(TensorCoding up, TensorCoding down) {

    /** fp32 both ways: exact, what every experiment did before. */
    public static final TransferEncoding FP32 = new TransferEncoding(TensorCoding.FP32, TensorCoding.FP32);

    public TransferEncoding {
        Objects.requireNonNull(up, "up");
        Objects.requireNonNull(down, "down");
    }

    /** Whether a coding loses more than half-precision rounding: quantized or top-k. */
    public static boolean lossy(TensorCoding c) {
        return c.quantization() != null || c.sparse();
    }

    /** Whether updates travel as deltas with error feedback. */
    public boolean deltaUp() {
        return lossy(up);
    }

    /** Whether the global model travels as a delta against the one the site holds. */
    public boolean deltaDown() {
        return lossy(down);
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException saying what is wrong and what is accepted
     */
    public static TransferEncoding parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            return FP32;
        }
        if (!s.contains("=")) {
            TensorCoding both = TensorCoding.parse(s);
            return new TransferEncoding(both, both);
        }
        TensorCoding up = TensorCoding.FP32;
        TensorCoding down = TensorCoding.FP32;
        for (String part : s.split(",")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part.strip() : part.substring(0, eq).strip();
            if (eq < 0 || !(key.equals("up") || key.equals("down"))) {
                throw new IllegalArgumentException("encoding '" + text + "': '" + part.strip() + "' is not up=CODING "
                        + "or down=CODING (e.g. up=topk:0.01+int8,down=int8)");
            }
            TensorCoding c = TensorCoding.parse(part.substring(eq + 1));
            if (key.equals("up")) {
                up = c;
            } else {
                down = c;
            }
        }
        return new TransferEncoding(up, down);
    }

    @Override
    public String toString() {
        return "up=" + up + ",down=" + down;
    }
}
