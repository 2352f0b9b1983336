package org.fedfms.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Loaded models kept warm between uses (predictions, the viewer, exports), least recently used first out:
 * at most a number of models and of bytes. A model is taken out while in use and offered back after;
 * its key says what makes it reusable (variant, adapter, the weights file's digest, device), so a model
 * whose weights file changed is never found again, and {@link #dropIf} closes such models at once.
 * Thread-safe.
 *
 * @param <K> the key
 * @param <M> the kept model
 */
public final class WarmModels<K, M extends AutoCloseable> {

    private record Entry<M>(M model, long bytes) {
    }

    private record Stamp(long size, java.nio.file.attribute.FileTime modified) {
    }

    private final LinkedHashMap<K, Entry<M>> idle = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Path, Map.Entry<Stamp, String>> digests = new ConcurrentHashMap<>();
    private long bytes;
    private long hits;
    private long misses;

    /** The idle model under {@code key}, taken out of the pool, or {@code null} (a miss). */
    public synchronized M take(K key) {
        Entry<M> e = idle.remove(key);
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        bytes -= e.bytes();
        return e.model();
    }

    /**
     * Keeps {@code model} warm under {@code key}, then closes the least recently used models until at most
     * {@code maxModels} and {@code maxMegabytes} remain ({@code model} itself is closed when it alone is over).
     *
     * @param modelBytes the memory the model holds
     */
    public void offer(K key, M model, long modelBytes, int maxModels, double maxMegabytes) {
        List<AutoCloseable> out = new ArrayList<>();
        synchronized (this) {
            Entry<M> old = idle.put(key, new Entry<>(model, modelBytes));
            if (old != null && old.model() != model) {
                out.add(old.model());
                bytes -= old.bytes();
            }
            bytes += modelBytes;
            long limit = (long) (maxMegabytes * 1024 * 1024);
            Iterator<Map.Entry<K, Entry<M>>> it = idle.entrySet().iterator();
            while ((idle.size() > maxModels || bytes > limit) && it.hasNext()) {
                Entry<M> e = it.next().getValue();
                it.remove();
                bytes -= e.bytes();
                out.add(e.model());
            }
        }
        closeAll(out);
    }

    /** Closes and forgets the idle models whose key {@code stale} accepts; returns how many. */
    public int dropIf(Predicate<? super K> stale) {
        List<AutoCloseable> out = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<K, Entry<M>>> it = idle.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<K, Entry<M>> e = it.next();
                if (stale.test(e.getKey())) {
                    it.remove();
                    bytes -= e.getValue().bytes();
                    out.add(e.getValue().model());
                }
            }
        }
        closeAll(out);
        return out.size();
    }

    /** Closes every idle model. */
    public void clear() {
        dropIf(k -> true);
    }

    /** The keys of the idle models, least recently used first. */
    public synchronized List<K> keys() {
        return List.copyOf(idle.keySet());
    }

    /** Bytes the idle models hold. */
    public synchronized long bytes() {
        return bytes;
    }

    /** Models found warm by {@link #take}. */
    public synchronized long hits() {
        return hits;
    }

    /** {@link #take} calls that found none. */
    public synchronized long misses() {
        return misses;
    }

    /**
     * The SHA-256 of a weights file as hex, computed again only when its size or modification time changed.
     *
     * @throws IOException naming the file when it cannot be read
     */
    public String weightsDigest(Path file) throws IOException {
        Path abs = file.toAbsolutePath().normalize();
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new IOException("weights file " + abs + " cannot be read: " + e.getMessage(), e);
        }
        Stamp stamp = new Stamp(a.size(), a.lastModifiedTime());
        Map.Entry<Stamp, String> known = digests.get(abs);
        if (known != null && known.getKey().equals(stamp)) {
            return known.getValue();
        }
        MessageDigest d;
        try {
            d = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(abs)) {
            for (int n; (n = in.read(buffer)) > 0;) {
                d.update(buffer, 0, n);
            }
        }
        String hex = HexFormat.of().formatHex(d.digest());
        digests.put(abs, Map.entry(stamp, hex));
        return hex;
    }

    private static void closeAll(List<AutoCloseable> models) {
        RuntimeException first = null;
        for (AutoCloseable m : models) {
            try {
                m.close();
            } catch (Exception e) {
                if (first == null) {
                    first = new IllegalStateException("closing a warm model failed: " + e.getMessage(), e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
