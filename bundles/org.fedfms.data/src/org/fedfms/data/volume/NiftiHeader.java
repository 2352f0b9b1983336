package org.fedfms.data.volume;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The parts of a NIfTI-1 or NIfTI-2 header that locate, scale and measure the voxels of a single-file
 * ({@code .nii}, {@code .nii.gz}) 3-D volume, or of a 4-D one whose fourth axis holds channels
 * (modalities, as the Medical Segmentation Decathlon stores them). Byte order is detected from
 * {@code sizeof_hdr}.
 *
 * @param version 1 or 2
 * @param order byte order of header and data
 * @param datatype NIfTI datatype code
 * @param nx voxels along i
 * @param ny voxels along j
 * @param nz voxels along k
 * @param channels volumes along the fourth axis (1 for a 3-D volume)
 * @param dx voxel size along i in the file's units (millimetres in practice); 1 where pixdim is 0
 * @param dy voxel size along j
 * @param dz voxel size along k
 * @param voxOffset byte offset of the data in the (uncompressed) file
 * @param slope scl_slope (0 or non-finite: no scaling)
 * @param inter scl_inter
 */
public record NiftiHeader(int version, ByteOrder order, int datatype, long nx, long ny, long nz, long channels,
        double dx, double dy, double dz, long voxOffset, double slope, double inter) {

    static final int NIFTI1_SIZE = 348;
    static final int NIFTI2_SIZE = 540;

    /** Bytes per voxel of the datatype. */
    public int bytesPerVoxel() {
        return bytesPerVoxel(datatype);
    }

    /** Voxels of one channel. */
    public long voxels() {
        return nx * ny * nz;
    }

    long dataBytes() {
        return voxels() * channels * bytesPerVoxel();
    }

    /** Whether scl_slope/scl_inter change stored values. */
    public boolean scaled() {
        return slope != 0 && Double.isFinite(slope) && Double.isFinite(inter) && !(slope == 1 && inter == 0);
    }

    /** The size as {@code NXxNYxNZ} (and {@code xC} for several channels), for messages. */
    public String dims() {
        return nx + "x" + ny + "x" + nz + (channels > 1 ? "x" + channels : "");
    }

    /** The voxel size {@code {dx, dy, dz}}. */
    public double[] spacing() {
        return new double[] {dx, dy, dz};
    }

    static String typeName(int datatype) {
        return switch (datatype) {
            case 2 -> "uint8";
            case 4 -> "int16";
            case 8 -> "int32";
            case 16 -> "float32";
            case 64 -> "float64";
            case 256 -> "int8";
            case 512 -> "uint16";
            case 768 -> "uint32";
            case 1024 -> "int64";
            case 1280 -> "uint64";
            default -> "datatype " + datatype;
        };
    }

    static int bytesPerVoxel(int datatype) {
        return switch (datatype) {
            case 2, 256 -> 1;
            case 4, 512 -> 2;
            case 8, 16, 768 -> 4;
            case 64, 1024, 1280 -> 8;
            default -> -1;
        };
    }

    /**
     * Parses a header from the first bytes of a file ({@code bytes} may hold fewer than 540).
     *
     * @throws IOException naming {@code shown} and what is wrong
     */
    static NiftiHeader parse(byte[] bytes, int length, String shown) throws IOException {
        if (length < NIFTI1_SIZE) {
            throw new IOException(shown + ": truncated: " + length + " bytes, shorter than a NIfTI header");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN);
        int size = b.getInt(0);
        if (size != NIFTI1_SIZE && size != NIFTI2_SIZE) {
            b.order(ByteOrder.BIG_ENDIAN);
            size = b.getInt(0);
        }
        if (size == NIFTI1_SIZE) {
            return nifti1(b, shown);
        }
        if (size == NIFTI2_SIZE) {
            if (length < NIFTI2_SIZE) {
                throw new IOException(shown + ": truncated: " + length + " bytes, shorter than a NIfTI-2 header");
            }
            return nifti2(b, shown);
        }
        throw new IOException(shown + ": not a NIfTI file (sizeof_hdr is neither 348 nor 540 in either byte order)");
    }

    private static NiftiHeader nifti1(ByteBuffer b, String shown) throws IOException {
        String magic = new String(new byte[] {b.get(344), b.get(345), b.get(346)}, StandardCharsets.US_ASCII);
        if (magic.equals("ni1")) {
            throw new IOException(shown + ": a two-file NIfTI-1 header (.hdr/.img); convert it to a single .nii");
        }
        if (!magic.equals("n+1")) {
            throw new IOException(shown + ": NIfTI-1 magic is '" + printable(magic) + "', expected 'n+1'");
        }
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getShort(40 + 2 * i);
        }
        int datatype = b.getShort(70);
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getFloat(76 + 4 * i);
        }
        long voxOffset = (long) b.getFloat(108);
        return make(1, b.order(), datatype, dim, pixdim, voxOffset, b.getFloat(112), b.getFloat(116), shown);
    }

    private static NiftiHeader nifti2(ByteBuffer b, String shown) throws IOException {
        String magic = new String(new byte[] {b.get(4), b.get(5), b.get(6)}, StandardCharsets.US_ASCII);
        if (magic.equals("ni2")) {
            throw new IOException(shown + ": a two-file NIfTI-2 header (.hdr/.img); convert it to a single .nii");
        }
        if (!magic.equals("n+2")) {
            throw new IOException(shown + ": NIfTI-2 magic is '" + printable(magic) + "', expected 'n+2'");
        }
        long[] dim = new long[8];
        for (int i = 0; i < 8; i++) {
            dim[i] = b.getLong(16 + 8 * i);
        }
        int datatype = b.getShort(12);
        double[] pixdim = new double[8];
        for (int i = 0; i < 8; i++) {
            pixdim[i] = b.getDouble(104 + 8 * i);
        }
        return make(2, b.order(), datatype, dim, pixdim, b.getLong(168), b.getDouble(176), b.getDouble(184), shown);
    }

    private static NiftiHeader make(int version, ByteOrder order, int datatype, long[] dim, double[] pixdim,
            long voxOffset, double slope, double inter, String shown) throws IOException {
        if (bytesPerVoxel(datatype) < 0) {
            throw new IOException(shown + ": NIfTI " + typeName(datatype) + " is not supported (uint8, int8, "
                    + "int16, uint16, int32, uint32, int64, uint64, float32, float64 are)");
        }
        long ndim = dim[0];
        if (ndim < 2 || ndim > 7) {
            throw new IOException(shown + ": dim[0] = " + ndim + ", expected 2 to 4 dimensions");
        }
        long[] n = {1, 1, 1, 1};
        for (int i = 1; i <= ndim; i++) {
            if (dim[i] <= 0) {
                throw new IOException(shown + ": dim[" + i + "] = " + dim[i] + " is not a size");
            }
            if (i <= 4) {
                n[i - 1] = dim[i];
            } else if (dim[i] != 1) {
                throw new IOException(shown + ": a " + ndim + "-D volume (dim[" + i + "] = " + dim[i]
                        + "); only 3-D volumes and 4-D volumes of channels are supported");
            }
        }
        int minOffset = version == 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
        if (voxOffset < minOffset) {
            throw new IOException(shown + ": vox_offset " + voxOffset + " lies inside the header");
        }
        return new NiftiHeader(version, order, datatype, n[0], n[1], n[2], n[3], size(pixdim[1]), size(pixdim[2]),
                size(pixdim[3]), voxOffset, slope, inter);
    }

    private static double size(double pixdim) {
        double d = Math.abs(pixdim);
        return d > 0 && Double.isFinite(d) ? d : 1.0;
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
