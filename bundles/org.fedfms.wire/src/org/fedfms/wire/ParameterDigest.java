package org.fedfms.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

/**
 * The SHA-256 of a parameter set's content (each tensor's name, shape and fp32 values, in order), as 64 hex
 * digits: what a coordinator announces for an experiment's starting state and a site checks before it trains
 * from it, whatever the file or message the values came in.
 */
public final class ParameterDigest {

    private ParameterDigest() {
    }

    /** The digest of {@code parameters}. */
    public static String sha256(ParameterSet parameters) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : parameters.tensors()) {
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            sha.update(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(name.length).array());
            sha.update(name);
            int[] shape = t.shape();
            ByteBuffer dims = ByteBuffer.allocate(4 + 4 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
            dims.putInt(shape.length);
            for (int d : shape) {
                dims.putInt(d);
            }
            sha.update(dims.array());
            for (float v : t.values()) {
                if (buffer.remaining() < 4) {
                    sha.update(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                buffer.putInt(Float.floatToRawIntBits(v));
            }
            sha.update(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Whether {@code text} has the form of a digest (64 lower-case hex digits). */
    public static boolean isDigest(String text) {
        return text != null && text.matches("[0-9a-f]{64}");
    }
}
