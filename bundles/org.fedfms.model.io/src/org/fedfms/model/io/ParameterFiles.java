package org.fedfms.model.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.api.io.HalfFloats;
import org.fedfms.api.io.NpyArray;

/**
 * Reads and writes named tensors as {@code .safetensors} (F32, F16, BF16 and F64 read; F32 written)
 * or NumPy {@code .npz} (one {@code NAME.npy} per tensor), and reads PyTorch checkpoints
 * ({@code .pth}/{@code .pt} from {@code torch.save}, see {@link TorchCheckpoints}). Values become
 * float32; names are kept as they are in the file (a checkpoint's wrapper and {@code module.} prefix aside).
 */
public final class ParameterFiles {

    /** File formats of named tensors. */
    public enum Format {
        SAFETENSORS, NPZ,
        /** A PyTorch checkpoint written by {@code torch.save}: read only. */
        PTH;

        /** The format a file name's extension says, or {@code null}. */
        public static Format ofFileName(Path file) {
            String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".safetensors")) {
                return SAFETENSORS;
            }
            if (n.endsWith(".pth") || n.endsWith(".pt")) {
                return PTH;
            }
            return n.endsWith(".npz") ? NPZ : null;
        }
    }

    private static final long MAX_HEADER = 100L << 20;

    private ParameterFiles() {
    }

    /** The format of an existing file, from its first bytes. */
    public static Format detect(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(9);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return isTorchArchive(file) ? Format.PTH : Format.NPZ;
        }
        if (head.length == 9 && head[8] == '{') {
            return Format.SAFETENSORS;
        }
        if (head.length >= 2 && head[0] == (byte) 0x80 && head[1] <= 5) {
            throw new IOException(file + ": a PyTorch checkpoint in the legacy format (before PyTorch 1.6), which is "
                    + "not read; save it again with a current PyTorch: torch.save(torch.load(path), 'new.pth')");
        }
        throw new IOException(file + ": neither a PyTorch checkpoint (.pth/.pt from torch.save) nor a .safetensors "
                + "or .npz file");
    }

    private static boolean isTorchArchive(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return TorchCheckpoints.isTorchArchive(zip);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a readable zip archive (.pth or .npz): " + e.getMessage(), e);
        }
    }

    /** Reads every tensor of a {@code .pth}/{@code .pt}, {@code .safetensors} or {@code .npz} file, in file order. */
    public static ParameterSet read(Path file) throws IOException {
        return switch (detect(file)) {
            case NPZ -> readNpz(file);
            case PTH -> TorchCheckpoints.read(file);
            case SAFETENSORS -> readSafetensors(file);
        };
    }

    /** Writes {@code parameters} atomically in {@code format}. */
    public static void write(Path file, ParameterSet parameters, Format format) throws IOException {
        if (format == Format.PTH) {
            throw new IOException(file + ": PyTorch checkpoints are read, not written; name the file .safetensors "
                    + "or .npz");
        }
        if (format == Format.NPZ) {
            AtomicFiles.writeStreamed(file, out -> writeNpz(out, parameters));
        } else {
            AtomicFiles.writeStreamed(file, out -> writeSafetensors(out, parameters));
        }
    }

    /** Writes in the format the file name's extension says ({@code .safetensors} or {@code .npz}). */
    public static void write(Path file, ParameterSet parameters) throws IOException {
        Format f = Format.ofFileName(file);
        if (f == null) {
            throw new IOException(file + ": name the file .safetensors or .npz");
        }
        write(file, parameters, f);
    }

    // ---- safetensors

    private static ParameterSet readSafetensors(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
                throw new IOException(file + ": bad safetensors header length " + headerLen);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new IOException(file + ": unreadable safetensors header: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            ParameterSet.Builder b = ParameterSet.builder();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                b.add(readSafetensor(ch, file, e.getKey(), e.getValue().getAsJsonObject(), dataStart, fileSize));
            }
            return b.build();
        }
    }

    private static Tensor readSafetensor(FileChannel ch, Path file, String name, JsonObject info, long dataStart,
            long fileSize) throws IOException {
        String dtype = info.get("dtype").getAsString();
        JsonArray shapeJson = info.getAsJsonArray("shape");
        int[] shape = new int[shapeJson.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeJson.get(i).getAsInt();
            count *= shape[i];
        }
        JsonArray offsets = info.getAsJsonArray("data_offsets");
        long begin = offsets.get(0).getAsLong();
        long end = offsets.get(1).getAsLong();
        int width = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            case "F64" -> 8;
            default -> throw new IOException(file + ": tensor '" + name + "' has dtype " + dtype
                    + "; only F32, F16, BF16 and F64 are read");
        };
        if (end - begin != count * width || dataStart + end > fileSize || begin < 0) {
            throw new IOException(file + ": tensor '" + name + "' has offsets [" + begin + ", " + end
                    + "] that do not fit its shape or the file");
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, data, dataStart + begin, file);
        data.flip();
        float[] v = new float[(int) count];
        switch (dtype) {
            case "F32" -> data.asFloatBuffer().get(v);
            case "F16" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = HalfFloats.fromFp16(data.getShort());
                }
            }
            case "BF16" -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
                }
            }
            default -> {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) data.getDouble();
                }
            }
        }
        return Tensor.of(name, shape, v);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(file + ": truncated at byte " + pos);
            }
            pos += n;
        }
    }

    private static void writeSafetensors(OutputStream out, ParameterSet parameters) throws IOException {
        JsonObject header = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        header.add("__metadata__", meta);
        long offset = 0;
        for (Tensor t : parameters.tensors()) {
            JsonObject info = new JsonObject();
            info.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += (long) t.size() * 4;
            offsets.add(offset);
            info.add("data_offsets", offsets);
            header.add(t.name(), info);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(len.array());
        out.write(json);
        out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
        ByteBuffer bb = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : parameters.tensors()) {
            for (float v : t.values()) {
                if (!bb.hasRemaining()) {
                    out.write(bb.array(), 0, bb.position());
                    bb.clear();
                }
                bb.putFloat(v);
            }
        }
        out.write(bb.array(), 0, bb.position());
    }

    // ---- npz

    private static ParameterSet readNpz(Path file) throws IOException {
        try {
            return readZip(file);
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a readable .npz (zip) file: " + e.getMessage(), e);
        }
    }

    private static ParameterSet readZip(Path file) throws IOException {
        ParameterSet.Builder b = ParameterSet.builder();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String entry = e.getName();
                if (!entry.endsWith(".npy")) {
                    throw new IOException(file + ": entry '" + entry + "' is not a .npy array");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    NpyArray a = NpyArray.read(in, file + "!" + entry);
                    b.add(Tensor.of(entry.substring(0, entry.length() - 4), a.shape(), a.values()));
                }
            }
        }
        return b.build();
    }

    private static void writeNpz(OutputStream out, ParameterSet parameters) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Tensor t : parameters.tensors()) {
            byte[] bytes = new NpyArray(t.shape(), t.values()).toBytes();
            CRC32 crc = new CRC32();
            crc.update(bytes);
            ZipEntry e = new ZipEntry(t.name() + ".npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            e.setCompressedSize(bytes.length);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(bytes);
            zip.closeEntry();
        }
        zip.finish();
    }
}
