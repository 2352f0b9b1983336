package org.fedfms.data.volume;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A NIfTI-1 or NIfTI-2 volume read from {@code .nii} or {@code .nii.gz}: the header and the raw
 * voxel bytes, with scaled values and slices read on demand. Voxel (i, j, k) of channel t lies at
 * {@code i + nx·(j + ny·(k + nz·t))}.
 */
public final class NiftiVolume {

    /** Axis along which 2-D slices are cut. */
    public enum Axis {
        X, Y, Z
    }

    private final NiftiHeader header;
    private final ByteBuffer data;

    private NiftiVolume(NiftiHeader header, ByteBuffer data) {
        this.header = header;
        this.data = data;
    }

    public NiftiHeader header() {
        return header;
    }

    /** Bytes held. */
    public long bytes() {
        return data.capacity();
    }

    static boolean gzipped(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
    }

    /** The header's bytes as stored (540 bytes, or fewer for a short NIfTI-1 file). */
    static byte[] rawHeader(Path file, String shown) throws IOException {
        try (InputStream in = open(file, shown)) {
            return in.readNBytes(NiftiHeader.NIFTI2_SIZE);
        } catch (ZipException e) {
            throw new IOException(shown + ": corrupt gzip data: " + e.getMessage(), e);
        }
    }

    /** Reads only the header. */
    public static NiftiHeader readHeader(Path file, String shown) throws IOException {
        byte[] head = new byte[NiftiHeader.NIFTI2_SIZE];
        int n;
        try (InputStream in = open(file, shown)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (ZipException e) {
            throw new IOException(shown + ": corrupt gzip data: " + e.getMessage(), e);
        }
        return NiftiHeader.parse(head, n, shown);
    }

    /** Reads header and voxels; a file shorter than its header says is an error. */
    public static NiftiVolume read(Path file, String shown) throws IOException {
        NiftiHeader h = readHeader(file, shown);
        long bytes = h.dataBytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IOException(shown + ": volume " + h.dims() + " of " + NiftiHeader.typeName(h.datatype())
                    + " holds more than 2 GB");
        }
        ByteBuffer data = ByteBuffer.allocate((int) bytes);
        if (gzipped(file)) {
            try (InputStream in = open(file, shown)) {
                long skipped = skip(in, h.voxOffset());
                int n = skipped < h.voxOffset() ? 0 : in.readNBytes(data.array(), 0, (int) bytes);
                if (n < bytes) {
                    throw truncated(shown, h, n);
                }
            } catch (ZipException e) {
                throw new IOException(shown + ": corrupt gzip data: " + e.getMessage(), e);
            } catch (java.io.EOFException e) {
                throw new IOException(shown + ": truncated gzip stream inside the voxel data (" + h.dims() + " "
                        + NiftiHeader.typeName(h.datatype()) + ")", e);
            }
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long pos = h.voxOffset();
                while (data.hasRemaining()) {
                    int n = ch.read(data, pos);
                    if (n < 0) {
                        throw truncated(shown, h, data.position());
                    }
                    pos += n;
                }
            }
        }
        data.clear();
        data.order(h.order());
        return new NiftiVolume(h, data);
    }

    private static IOException truncated(String shown, NiftiHeader h, long got) {
        return new IOException(shown + ": truncated: the header says " + h.dims() + " voxels of "
                + NiftiHeader.typeName(h.datatype()) + " (" + h.dataBytes() + " bytes after offset " + h.voxOffset()
                + "), the file holds " + got);
    }

    private static InputStream open(Path file, String shown) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (!gzipped(file)) {
            return raw;
        }
        try {
            return new GZIPInputStream(raw, 1 << 16);
        } catch (ZipException e) {
            raw.close();
            throw new IOException(shown + ": not gzip data (" + e.getMessage() + ")", e);
        } catch (java.io.EOFException e) {
            raw.close();
            throw new IOException(shown + ": truncated: empty gzip file", e);
        }
    }

    /** The stored value of voxel {@code index}, scaled by scl_slope/scl_inter. */
    public double value(long index) {
        int p = (int) (index * header.bytesPerVoxel());
        double raw = switch (header.datatype()) {
            case 2 -> data.get(p) & 0xFF;
            case 256 -> data.get(p);
            case 4 -> data.getShort(p);
            case 512 -> data.getShort(p) & 0xFFFF;
            case 8 -> data.getInt(p);
            case 768 -> data.getInt(p) & 0xFFFFFFFFL;
            case 16 -> data.getFloat(p);
            case 64 -> data.getDouble(p);
            case 1024 -> data.getLong(p);
            default -> {
                long v = data.getLong(p);
                yield v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
            }
        };
        return header.scaled() ? raw * header.slope() + header.inter() : raw;
    }

    /** Number of slices along {@code axis}. */
    public int slices(Axis axis) {
        return (int) switch (axis) {
            case X -> header.nx();
            case Y -> header.ny();
            case Z -> header.nz();
        };
    }

    /** {@code {rows, columns}} of a slice along {@code axis}. */
    public int[] sliceSize(Axis axis) {
        return switch (axis) {
            case X -> new int[] {(int) header.nz(), (int) header.ny()};
            case Y -> new int[] {(int) header.nz(), (int) header.nx()};
            case Z -> new int[] {(int) header.ny(), (int) header.nx()};
        };
    }

    /** The voxel index of (row, column) of slice {@code s} along {@code axis}. */
    public long index(Axis axis, int s, int row, int column) {
        long nx = header.nx();
        long ny = header.ny();
        return switch (axis) {
            case X -> s + nx * (column + ny * (long) row);
            case Y -> column + nx * (s + ny * (long) row);
            case Z -> column + nx * (row + ny * (long) s);
        };
    }

    /** Slice {@code s} along {@code axis} of the first channel as scaled values, row-major. */
    public float[] slice(Axis axis, int s) {
        return slice(axis, s, 0);
    }

    /** Slice {@code s} along {@code axis} of {@code channel} as scaled values, row-major. */
    public float[] slice(Axis axis, int s, int channel) {
        int[] size = sliceSize(axis);
        float[] out = new float[size[0] * size[1]];
        long offset = channel * header.voxels();
        if (axis == Axis.Z) {
            return range(offset + (long) s * size[0] * size[1], out);
        }
        int o = 0;
        for (int r = 0; r < size[0]; r++) {
            for (int c = 0; c < size[1]; c++) {
                out[o++] = (float) value(offset + index(axis, s, r, c));
            }
        }
        return out;
    }

    /** {@code out.length} consecutive voxels from {@code start}, scaled, one type switch for all. */
    private float[] range(long start, float[] out) {
        int n = out.length;
        int p = (int) (start * header.bytesPerVoxel());
        switch (header.datatype()) {
            case 2 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(p + i) & 0xFF;
                }
            }
            case 256 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(p + i);
                }
            }
            case 4 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.getShort(p + 2 * i);
                }
            }
            case 512 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.getShort(p + 2 * i) & 0xFFFF;
                }
            }
            case 16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.getFloat(p + 4 * i);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) value(start + i);
                }
                return out;
            }
        }
        if (header.scaled()) {
            float slope = (float) header.slope();
            float inter = (float) header.inter();
            for (int i = 0; i < n; i++) {
                out[i] = out[i] * slope + inter;
            }
        }
        return out;
    }

    /** At most {@code max} scaled values of {@code channel} spread evenly over it (for intensity windows). */
    public float[] sample(int channel, int max) {
        long n = header.voxels();
        long offset = channel * n;
        long stride = Math.max(1, (n + max - 1) / max);
        float[] out = new float[(int) ((n + stride - 1) / stride)];
        int o = 0;
        for (long i = 0; i < n; i += stride) {
            out[o++] = (float) value(offset + i);
        }
        return out;
    }

    /** Skips {@code n} bytes; returns how many were skipped (fewer at end of stream). */
    private static long skip(InputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            long k = in.skip(left);
            if (k <= 0) {
                if (in.read() < 0) {
                    break;
                }
                k = 1;
            }
            left -= k;
        }
        return n - left;
    }
}
