import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import javax.imageio.ImageIO;

import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.LabeledImage;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.data.imagefolder.internal.ImageFolderDatasetLoader;
import org.fedfms.data.nifti.internal.NiftiVolumeLoader;
import org.fedfms.data.npy.internal.NpyDatasetLoader;
import org.fedfms.data.synthetic.internal.SyntheticDatasetLoader;

/**
 * Loader throughput: writes one synthetic dataset to disk as PNG folders, npy arrays and NIfTI
 * volumes (.nii and .nii.gz), then times each loader decoding every sample against a plain
 * Files.readAllBytes of the same files, in the same run (page cache warm for both).
 *
 * <p>java -cp JARS LoaderBenchmark.java [IMAGES] [SIZE] [ROUNDS]
 */
public class LoaderBenchmark {

    static final int SITES = 2;
    static final int SLICES_PER_VOLUME = 20;

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("fedfms-loader-bench");
        try {
            run(dir, images, size, rounds);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void run(Path dir, int images, int size, int rounds) throws Exception {
        int perSite = images / SITES;
        SyntheticDatasetLoader synthetic = new SyntheticDatasetLoader();
        Map<String, Object> syn = Map.of("sites", SITES, "samplesPerSite", perSite, "imageSize", size,
                "slicesPerCase", SLICES_PER_VOLUME, "validationFraction", 0, "testFraction", 0);
        FederatedDataset source = synthetic.load(syn);
        System.out.printf(Locale.ROOT, "writing %d synthetic %dx%d images (%d sites) as PNG, npy, NIfTI .nii and .nii.gz%n",
                images, size, size, SITES);
        for (SiteData site : source.sites()) {
            List<LabeledImage> volume = new ArrayList<>();
            int v = 0;
            for (Sample s : all(site)) {
                LabeledImage img = s.load();
                String base = site.siteId() + "/";
                writePng(img, dir.resolve("png/" + base + "images/" + s.id() + ".png"),
                        dir.resolve("png/" + base + "masks/" + s.id() + ".png"));
                writeNpy(img, dir.resolve("npy/" + base + "data_npy/" + s.id() + ".npy"),
                        dir.resolve("npy/" + base + "label_npy/" + s.id() + ".npy"));
                volume.add(img);
                if (volume.size() == SLICES_PER_VOLUME) {
                    String name = String.format(Locale.ROOT, "vol%03d", v++);
                    for (String ext : List.of(".nii", ".nii.gz")) {
                        String root = ext.equals(".nii") ? "nii/" : "niigz/";
                        writeNifti(volume, dir.resolve(root + base + "images/" + name + ext), false);
                        writeNifti(volume, dir.resolve(root + base + "labels/" + name + ext), true);
                    }
                    volume.clear();
                }
            }
        }
        Map<String, Object> common = Map.of("validationFraction", 0, "testFraction", 0);
        List<Run> runs = List.of(
                new Run("imagefolder PNG", new ImageFolderDatasetLoader(), dir.resolve("png"), Map.of()),
                new Run("npy uint8", new NpyDatasetLoader(), dir.resolve("npy"), Map.of()),
                new Run("nifti .nii int16", new NiftiVolumeLoader(), dir.resolve("nii"),
                        Map.of("emptySliceStride", 1, "intensity", "minmax")),
                new Run("nifti .nii.gz int16", new NiftiVolumeLoader(), dir.resolve("niigz"),
                        Map.of("emptySliceStride", 1, "intensity", "minmax")));
        System.out.printf(Locale.ROOT, "%nbest of %d rounds; baseline = Files.readAllBytes of the same files%n", rounds);
        System.out.printf(Locale.ROOT, "%-22s %8s %9s %10s %10s %12s %14s%n", "loader", "samples", "MB", "samples/s",
                "MB/s", "raw MB/s", "loader/raw");
        for (Run r : runs) {
            List<Path> files = files(r.root);
            long bytes = 0;
            for (Path f : files) {
                bytes += Files.size(f);
            }
            Map<String, Object> settings = new HashMap<>(common);
            settings.putAll(r.settings);
            settings.put("root", r.root.toString());
            rawRead(files);
            load(r.loader, settings);
            double raw = Double.MAX_VALUE;
            double dec = Double.MAX_VALUE;
            int samples = 0;
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                rawRead(files);
                long t1 = System.nanoTime();
                samples = load(r.loader, settings);
                long t2 = System.nanoTime();
                raw = Math.min(raw, (t1 - t0) / 1e9);
                dec = Math.min(dec, (t2 - t1) / 1e9);
            }
            double mb = bytes / 1e6;
            System.out.printf(Locale.ROOT, "%-22s %8d %9.1f %10.0f %10.1f %12.1f %14.3f%n", r.name, samples, mb,
                    samples / dec, mb / dec, mb / raw, raw / dec);
        }
        long t0 = System.nanoTime();
        int n = 0;
        long pixelBytes = 0;
        for (SiteData site : synthetic.load(syn).sites()) {
            for (Sample s : all(site)) {
                LabeledImage img = s.load();
                pixelBytes += 4L * img.pixels().length + img.mask().length;
                n++;
            }
        }
        double gen = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-22s %8d %9s %10.0f %10.1f %12s %14s  (generated: %.0f us/sample, "
                + "MB/s of decoded pixels)%n", "synthetic " + size + "px", n, "-", n / gen, pixelBytes / 1e6 / gen, "-", "-",
                gen / n * 1e6);
        FederatedDataset demo = synthetic.load(Map.of("samplesPerSite", 2000, "imageSize", 64));
        List<Sample> demoSamples = all(demo.sites().get(0));
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < rounds; r++) {
            long s0 = System.nanoTime();
            long c0 = threads.getCurrentThreadCpuTime();
            for (Sample s : demoSamples) {
                s.load();
            }
            bestCpu = Math.min(bestCpu, (threads.getCurrentThreadCpuTime() - c0) / 1e9);
            best = Math.min(best, (System.nanoTime() - s0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "%-22s %8d %9s %10.0f %10s %12s %14s  (the demo default: %.0f us/sample wall, "
                + "%.0f us CPU)%n", "synthetic 64px", demoSamples.size(), "-", demoSamples.size() / best, "-", "-", "-",
                best / demoSamples.size() * 1e6, bestCpu / demoSamples.size() * 1e6);
    }

    record Run(String name, DatasetLoader loader, Path root, Map<String, Object> settings) {
    }

    static int load(DatasetLoader loader, Map<String, Object> settings) throws Exception {
        int n = 0;
        double checksum = 0;
        for (SiteData site : loader.load(settings).sites()) {
            for (Sample s : all(site)) {
                LabeledImage img = s.load();
                checksum += img.pixels()[img.pixels().length / 2] + img.mask()[img.mask().length / 2];
                n++;
            }
        }
        if (Double.isNaN(checksum)) {
            throw new IllegalStateException("NaN pixels");
        }
        return n;
    }

    static long rawRead(List<Path> files) throws IOException {
        long sum = 0;
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            sum += b.length + b[b.length / 2];
        }
        return sum;
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static List<Sample> all(SiteData site) {
        List<Sample> l = new ArrayList<>();
        for (DataSplit split : DataSplit.values()) {
            l.addAll(site.split(split));
        }
        l.sort(Comparator.comparing(Sample::id));
        return l;
    }

    static void writePng(LabeledImage img, Path image, Path mask) throws IOException {
        BufferedImage gray = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage m = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                int i = y * img.width() + x;
                gray.getRaster().setSample(x, y, 0, Math.round(img.pixels()[3 * i]));
                m.getRaster().setSample(x, y, 0, img.mask()[i] == 0 ? 0 : 255);
            }
        }
        Files.createDirectories(image.getParent());
        Files.createDirectories(mask.getParent());
        ImageIO.write(gray, "png", image.toFile());
        ImageIO.write(m, "png", mask.toFile());
    }

    static void writeNpy(LabeledImage img, Path image, Path mask) throws IOException {
        byte[] px = new byte[img.pixels().length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) Math.round(img.pixels()[i]);
        }
        npy(image, "|u1", "(" + img.height() + ", " + img.width() + ", 3)", px);
        npy(mask, "|u1", "(" + img.height() + ", " + img.width() + ", 1)", img.mask());
    }

    static void npy(Path file, String dtype, String shape, byte[] data) throws IOException {
        StringBuilder h = new StringBuilder("{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + shape + ", }");
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
            out.write(h.length() & 0xFF);
            out.write(h.length() >> 8);
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            out.write(data);
        }
    }

    /** A NIfTI-1 volume of the slices (k) with rows as j and columns as i: int16 images or uint8 labels. */
    static void writeNifti(List<LabeledImage> slices, Path file, boolean label) throws IOException {
        int nx = slices.get(0).width();
        int ny = slices.get(0).height();
        int nz = slices.size();
        int bytesPerVoxel = label ? 1 : 2;
        ByteBuffer b = ByteBuffer.allocate(352 + nx * ny * nz * bytesPerVoxel).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 348);
        short[] dim = {3, (short) nx, (short) ny, (short) nz, 1, 1, 1, 1};
        for (int i = 0; i < 8; i++) {
            b.putShort(40 + 2 * i, dim[i]);
            b.putFloat(76 + 4 * i, 1f);
        }
        b.putShort(70, (short) (label ? 2 : 4));
        b.putShort(72, (short) (8 * bytesPerVoxel));
        b.putFloat(108, 352f);
        b.putFloat(112, 1f);
        b.put(344, (byte) 'n').put(345, (byte) '+').put(346, (byte) '1');
        int p = 352;
        for (LabeledImage s : slices) {
            for (int i = 0; i < nx * ny; i++) {
                if (label) {
                    b.put(p, s.mask()[i]);
                    p += 1;
                } else {
                    b.putShort(p, (short) (Math.round(s.pixels()[3 * i]) * 8 - 400));
                    p += 2;
                }
            }
        }
        Files.createDirectories(file.getParent());
        try (OutputStream out = file.toString().endsWith(".gz")
                ? new GZIPOutputStream(Files.newOutputStream(file), 1 << 16) : Files.newOutputStream(file)) {
            out.write(b.array());
        }
    }
}
