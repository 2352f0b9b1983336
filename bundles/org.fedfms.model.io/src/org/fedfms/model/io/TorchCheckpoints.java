package org.fedfms.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.io.HalfFloats;

import net.razorvine.pickle.PickleException;

/**
 * Reads PyTorch checkpoints as {@code torch.save} writes them since PyTorch 1.6: a zip archive holding
 * {@code ARCHIVE/data.pkl} (the pickled object) and {@code ARCHIVE/data/KEY} (each storage's raw bytes).
 * The pickle is read by {@link RestrictedUnpickler}, which admits only what a state dict of tensors
 * needs, so reading never runs code from the file. The state dict may be the object itself or the
 * value of its {@code state_dict} or {@code model} key (training checkpoints); a {@code module.} prefix
 * on every name (DataParallel) is dropped. Float, half and bfloat16 storages (also double and the
 * integer types) become float32 values; views (offsets, strides) are resolved.
 */
public final class TorchCheckpoints {

    /** The keys under which training checkpoints wrap their state dict, in the order they are tried. */
    public static final List<String> WRAPPER_KEYS = List.of("state_dict", "model");

    private static final String DATAPARALLEL_PREFIX = "module.";

    private TorchCheckpoints() {
    }

    /** Element types of torch storages, by the storage class name the pickle gives. */
    enum ElementType {
        FLOAT("FloatStorage", 4), HALF("HalfStorage", 2), BFLOAT16("BFloat16Storage", 2),
        DOUBLE("DoubleStorage", 8), LONG("LongStorage", 8), INT("IntStorage", 4), SHORT("ShortStorage", 2),
        CHAR("CharStorage", 1), BYTE("ByteStorage", 1), BOOL("BoolStorage", 1);

        private final String storageName;
        private final int width;

        ElementType(String storageName, int width) {
            this.storageName = storageName;
            this.width = width;
        }

        String storageName() {
            return storageName;
        }

        static ElementType ofStorageName(String name) {
            for (ElementType t : values()) {
                if (t.storageName.equals(name)) {
                    return t;
                }
            }
            return null;
        }

        float get(ByteBuffer b, int index) {
            int at = index * width;
            return switch (this) {
                case FLOAT -> b.getFloat(at);
                case HALF -> HalfFloats.fromFp16(b.getShort(at));
                case BFLOAT16 -> HalfFloats.fromBf16(b.getShort(at));
                case DOUBLE -> (float) b.getDouble(at);
                case LONG -> b.getLong(at);
                case INT -> b.getInt(at);
                case SHORT -> b.getShort(at);
                case CHAR -> b.get(at);
                case BYTE, BOOL -> b.get(at) & 0xff;
            };
        }
    }

    /** A storage of the archive: its element type, its entry key and its number of elements. */
    record StorageRef(ElementType type, String key, long numel) {
    }

    /** A tensor as the pickle describes it: a view into a storage. */
    record TensorRef(StorageRef storage, long offset, int[] shape, long[] stride) {

        long size() {
            long n = 1;
            for (int d : shape) {
                n *= d;
            }
            return n;
        }

        /** The largest element index this view reaches, or -1 when it is empty. */
        long lastIndex() {
            if (size() == 0) {
                return -1;
            }
            long last = offset;
            for (int i = 0; i < shape.length; i++) {
                last += (shape[i] - 1L) * stride[i];
            }
            return last;
        }
    }

    /** Whether {@code file} is a zip archive written by {@code torch.save} (it holds a {@code data.pkl}). */
    static boolean isTorchArchive(ZipFile zip) {
        return pickleEntry(zip) != null;
    }

    private static ZipEntry pickleEntry(ZipFile zip) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            String n = e.getName();
            if (n.equals("data.pkl") || n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9) {
                return e;
            }
        }
        return null;
    }

    /** Reads the state dict of a PyTorch checkpoint; names in file order. */
    public static ParameterSet read(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Archive archive = new Archive(file, zip);
            Map<String, TensorRef> tensors = archive.stateDict();
            Map<String, ByteBuffer> storages = new HashMap<>();
            ParameterSet.Builder b = ParameterSet.builder();
            for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
                TensorRef t = e.getValue();
                ByteBuffer data = storages.get(t.storage().key());
                if (data == null) {
                    data = archive.storage(t.storage());
                    storages.put(t.storage().key(), data);
                }
                b.add(Tensor.of(e.getKey(), t.shape(), values(t, data)));
            }
            return b.build();
        }
    }

    /** Names and shapes of a checkpoint's state dict, without reading its storages. */
    public static Map<String, int[]> shapes(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Map<String, int[]> out = new LinkedHashMap<>();
            new Archive(file, zip).stateDict().forEach((n, t) -> out.put(n, t.shape().clone()));
            return out;
        }
    }

    private static ZipFile open(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new IOException(file + ": not a readable PyTorch checkpoint (zip archive): " + e.getMessage(), e);
        }
    }

    private static float[] values(TensorRef t, ByteBuffer data) {
        float[] v = new float[Math.toIntExact(t.size())];
        int rank = t.shape().length;
        int[] index = new int[rank];
        long at = t.offset();
        ElementType type = t.storage().type();
        for (int i = 0; i < v.length; i++) {
            v[i] = type.get(data, Math.toIntExact(at));
            for (int d = rank - 1; d >= 0; d--) { // odometer over the view's indexes
                at += t.stride()[d];
                if (++index[d] < t.shape()[d]) {
                    break;
                }
                at -= t.stride()[d] * index[d];
                index[d] = 0;
            }
        }
        return v;
    }

    /** One open archive: its prefix, byte order and pickle. */
    private static final class Archive {
        private final Path file;
        private final ZipFile zip;
        private final String prefix;
        private final ByteOrder order;

        Archive(Path file, ZipFile zip) throws IOException {
            this.file = file;
            this.zip = zip;
            ZipEntry pickle = pickleEntry(zip);
            if (pickle == null) {
                throw new IOException(file + ": a zip archive without data.pkl, so not a PyTorch checkpoint");
            }
            this.prefix = pickle.getName().substring(0, pickle.getName().length() - "data.pkl".length());
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            String byteOrder = bo == null ? "little" : new String(readAll(bo), StandardCharsets.US_ASCII).trim();
            this.order = byteOrder.equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }

        Map<String, TensorRef> stateDict() throws IOException {
            Object root;
            RestrictedUnpickler u = new RestrictedUnpickler();
            try (InputStream in = zip.getInputStream(zip.getEntry(prefix + "data.pkl"))) {
                root = u.load(in);
            } catch (PickleException | ClassCastException | IllegalStateException | ArithmeticException e) {
                throw new IOException(file + ": " + e.getMessage() + "; nothing was loaded", e);
            } finally {
                u.close();
            }
            Map<?, ?> dict = find(root);
            if (dict == null) {
                throw new IOException(file + ": holds no state dict of tensors (" + describe(root)
                        + "); expected a state dict, or a dict with one under " + WRAPPER_KEYS);
            }
            Map<String, TensorRef> tensors = new LinkedHashMap<>();
            boolean dataParallel = true;
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (e.getValue() instanceof TensorRef t) {
                    String name = String.valueOf(e.getKey());
                    dataParallel &= name.startsWith(DATAPARALLEL_PREFIX);
                    check(name, t);
                    tensors.put(name, t);
                }
            }
            if (!dataParallel) {
                return tensors;
            }
            Map<String, TensorRef> stripped = new LinkedHashMap<>();
            tensors.forEach((n, t) -> stripped.put(n.substring(DATAPARALLEL_PREFIX.length()), t));
            return stripped;
        }

        private void check(String name, TensorRef t) throws IOException {
            for (int i = 0; i < t.shape().length; i++) {
                if (t.shape()[i] < 0 || t.stride()[i] < 0) {
                    throw new IOException(file + ": tensor '" + name + "' has a negative size or stride");
                }
            }
            if (t.offset() < 0 || t.lastIndex() >= t.storage().numel()) {
                throw new IOException(file + ": tensor '" + name + "' reaches past its storage "
                        + t.storage().key() + " (" + t.storage().numel() + " elements)");
            }
            if (t.size() > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": tensor '" + name + "' has more than 2^31 elements");
            }
        }

        private static Map<?, ?> find(Object root) {
            if (!(root instanceof Map<?, ?> m)) {
                return null;
            }
            for (String key : WRAPPER_KEYS) {
                if (m.get(key) instanceof Map<?, ?> inner && holdsTensors(inner)) {
                    return inner;
                }
            }
            return holdsTensors(m) ? m : null;
        }

        private static boolean holdsTensors(Map<?, ?> m) {
            return m.values().stream().anyMatch(v -> v instanceof TensorRef);
        }

        private static String describe(Object root) {
            if (root instanceof Map<?, ?> m) {
                List<String> keys = new ArrayList<>();
                m.keySet().stream().limit(10).forEach(k -> keys.add(String.valueOf(k)));
                return "its top-level keys: " + keys;
            }
            return "it holds a " + (root == null ? "None" : root.getClass().getSimpleName());
        }

        ByteBuffer storage(StorageRef s) throws IOException {
            ZipEntry e = zip.getEntry(prefix + "data/" + s.key());
            if (e == null) {
                throw new IOException(file + ": storage " + s.key() + " is missing (entry " + prefix + "data/"
                        + s.key() + ")");
            }
            long expected = s.numel() * s.type().width;
            if (e.getSize() >= 0 && e.getSize() != expected || expected > Integer.MAX_VALUE - 8) {
                throw new IOException(file + ": storage " + s.key() + " has " + e.getSize() + " bytes, its "
                        + s.numel() + " " + s.type().storageName + " elements need " + expected);
            }
            byte[] bytes = readAll(e);
            if (bytes.length != expected) {
                throw new IOException(file + ": storage " + s.key() + " is truncated (" + bytes.length + " of "
                        + expected + " bytes)");
            }
            return ByteBuffer.wrap(bytes).order(order);
        }

        private byte[] readAll(ZipEntry e) throws IOException {
            try (InputStream in = zip.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }
}
