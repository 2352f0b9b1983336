package org.fedfms.train.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.fedfms.api.io.AtomicFiles;

/**
 * Image embeddings by key, least recently used first out: kept in memory up to a bound, spilled beyond it
 * to files in a directory of their own (up to a second bound; beyond both an entry is dropped and computed
 * again when needed). The directory is deleted on {@link #close()}. Every entry has the same shape.
 */
public final class EmbeddingCache implements AutoCloseable {

    /**
     * Bounds and place of a cache.
     *
     * @param memoryMb megabytes of embeddings kept in memory; 0 turns the cache off
     * @param spillMb megabytes spilled to disk beyond the memory bound; 0 spills nothing
     * @param directory where the spill directory is created; empty for the system's temporary directory
     */
    record Settings(double memoryMb, double spillMb, String directory) {

        Settings {
            directory = directory == null ? "" : directory.trim();
        }

        boolean enabled() {
            return memoryMb > 0;
        }
    }

    /**
     * What the cache holds and did.
     *
     * @param hits embeddings found (in memory or on disk)
     * @param misses embeddings computed
     * @param diskHits embeddings read back from disk
     * @param spilled embeddings written to disk
     * @param inMemory entries in memory now
     * @param onDisk entries on disk now
     * @param memoryBytes bytes in memory now
     * @param diskBytes bytes on disk now
     * @param directory the spill directory, {@code null} while nothing was spilled
     */
    public record Stats(long hits, long misses, long diskHits, long spilled, int inMemory, int onDisk,
            long memoryBytes, long diskBytes, Path directory) {
    }

    private final long memoryLimit;
    private final long diskLimit;
    private final Path parent;
    private final LinkedHashMap<String, float[]> memory = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Long> disk = new HashMap<>();
    private Path directory;
    private long[] shape;
    private long memoryBytes;
    private long diskBytes;
    private long hits;
    private long misses;
    private long diskHits;
    private long spilled;

    EmbeddingCache(Settings settings) {
        this.memoryLimit = (long) (settings.memoryMb() * 1024 * 1024);
        this.diskLimit = (long) (settings.spillMb() * 1024 * 1024);
        this.parent = settings.directory().isEmpty() ? Path.of(System.getProperty("java.io.tmpdir"))
                : Path.of(settings.directory());
    }

    /** The shape of every entry, or {@code null} before the first. */
    synchronized long[] shape() {
        return shape == null ? null : shape.clone();
    }

    /** The embedding under {@code key}, or {@code null} when it is neither in memory nor spilled. */
    synchronized float[] get(String key) {
        float[] v = memory.get(key);
        if (v != null) {
            hits++;
            return v;
        }
        Long bytes = disk.remove(key);
        if (bytes == null) {
            misses++;
            return null;
        }
        diskBytes -= bytes;
        Path file = directory.resolve(key);
        try {
            v = read(file);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("embedding cache: cannot read back " + file + ": " + e.getMessage(), e);
        }
        hits++;
        diskHits++;
        keep(key, v);
        return v;
    }

    /**
     * Keeps {@code values} (of {@code shape}) under {@code key}, spilling the least recently used entries.
     *
     * @throws IllegalArgumentException when the shape differs from the entries' shape
     */
    synchronized void put(String key, float[] values, long[] entryShape) {
        if (shape == null) {
            shape = entryShape.clone();
        } else if (!java.util.Arrays.equals(shape, entryShape)) {
            throw new IllegalArgumentException("embedding cache: an embedding of shape "
                    + java.util.Arrays.toString(entryShape) + " among entries of " + java.util.Arrays.toString(shape));
        }
        if (memory.containsKey(key) || disk.containsKey(key)) {
            return;
        }
        keep(key, values);
    }

    private void keep(String key, float[] values) {
        memory.put(key, values);
        memoryBytes += values.length * 4L;
        Iterator<Map.Entry<String, float[]>> it = memory.entrySet().iterator();
        while (memoryBytes > memoryLimit && it.hasNext()) {
            Map.Entry<String, float[]> oldest = it.next();
            it.remove();
            memoryBytes -= oldest.getValue().length * 4L;
            spill(oldest.getKey(), oldest.getValue());
        }
    }

    private void spill(String key, float[] values) {
        long bytes = values.length * 4L;
        if (diskBytes + bytes > diskLimit) {
            return;
        }
        try {
            if (directory == null) {
                Files.createDirectories(parent);
                directory = Files.createTempDirectory(parent, "fedfms-embeddings-");
            }
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            AtomicFiles.write(directory.resolve(key), b.array());
        } catch (IOException e) {
            throw new UncheckedIOException("embedding cache: cannot spill to " + (directory == null ? parent
                    : directory) + " (" + e.getMessage() + "); free disk space, set embeddingCacheDir elsewhere or "
                    + "embeddingSpillMb=0", e);
        }
        disk.put(key, bytes);
        diskBytes += bytes;
        spilled++;
    }

    private static float[] read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    synchronized Stats stats() {
        return new Stats(hits, misses, diskHits, spilled, memory.size(), disk.size(), memoryBytes, diskBytes,
                directory);
    }

    /** Forgets every entry and deletes the spill directory. */
    @Override
    public synchronized void close() {
        memory.clear();
        disk.clear();
        memoryBytes = 0;
        diskBytes = 0;
        if (directory != null) {
            try (var files = Files.list(directory)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("embedding cache: cannot delete " + directory + ": " + e.getMessage(), e);
            }
            directory = null;
        }
    }
}
