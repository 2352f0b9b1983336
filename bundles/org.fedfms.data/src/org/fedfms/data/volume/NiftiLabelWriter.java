package org.fedfms.data.volume;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import org.fedfms.api.io.AtomicFiles;

/**
 * Writes a label volume as NIfTI ({@code .nii.gz} or {@code .nii}) with the header of its source image:
 * the affine (qform, sform), voxel spacing and units stay as the source has them, so that the labels
 * open aligned over the image in 3D Slicer or ITK-SNAP; the data become 3-D uint8 without scaling.
 */
public final class NiftiLabelWriter {

    private NiftiLabelWriter() {
    }

    /**
     * Writes {@code labels} (index {@code x + nx·(y + ny·z)}) to {@code target}, whole or not at all.
     *
     * @param source the image whose header is kept (NIfTI-1 or NIfTI-2)
     * @throws IOException if the source cannot be read or the label count does not fit its grid
     */
    public static void write(Path source, String shownSource, byte[] labels, Path target) throws IOException {
        NiftiHeader h = NiftiVolume.readHeader(source, shownSource);
        if (labels.length != h.voxels()) {
            throw new IOException(labels.length + " labels do not fill " + shownSource + "'s grid " + h.nx() + "x"
                    + h.ny() + "x" + h.nz());
        }
        int size = h.version() == 1 ? NiftiHeader.NIFTI1_SIZE : NiftiHeader.NIFTI2_SIZE;
        ByteBuffer b = ByteBuffer.allocate(size + 4).order(h.order());
        b.put(NiftiVolume.rawHeader(source, shownSource), 0, size);
        if (h.version() == 1) {
            b.putShort(40, (short) 3);
            for (int i = 4; i < 8; i++) {
                b.putShort(40 + 2 * i, (short) 1);
            }
            b.putShort(70, (short) 2).putShort(72, (short) 8);
            b.putFloat(108, size + 4).putFloat(112, 1f).putFloat(116, 0f);
        } else {
            b.putLong(16, 3);
            for (int i = 4; i < 8; i++) {
                b.putLong(16 + 8 * i, 1);
            }
            b.putShort(12, (short) 2).putShort(14, (short) 8);
            b.putLong(168, size + 4).putDouble(176, 1.0).putDouble(184, 0.0);
        }
        AtomicFiles.writeStreamed(target, raw -> {
            OutputStream out = NiftiVolume.gzipped(target) ? new GZIPOutputStream(raw, 1 << 16) : raw;
            out.write(b.array());
            out.write(labels);
            if (out instanceof GZIPOutputStream gz) {
                gz.finish();
            }
        });
    }
}
