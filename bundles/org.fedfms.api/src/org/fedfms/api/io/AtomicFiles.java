package org.fedfms.api.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Whole-file writes that never leave a partial file: temp file, fsync, atomic rename, fsync of the directory. */
public final class AtomicFiles {

    /** Writes the content of a file to an open channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Writes the content of a file to a buffered stream (closing it is the caller's job, not the content's). */
    @FunctionalInterface
    public interface StreamContent {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code bytes}, atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Replaces {@code target} with what {@code content} writes to a buffered stream, atomically. */
    public static void writeStreamed(Path target, StreamContent content) throws IOException {
        write(target, ch -> {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20);
            content.writeTo(out);
            out.flush();
        });
    }

    /**
     * Writes {@code content} to a temporary file beside {@code target}, forces it to disk and renames it
     * over {@code target}; on failure the temporary file is removed and {@code target} is untouched.
     */
    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        boolean done = false;
        try {
            writeSynced(tmp, content);
            move(tmp, target);
            syncDirectory(dir);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** Writes {@code content} to {@code file} (created or truncated) and forces it to disk. */
    public static void writeSynced(Path file, Content content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            content.writeTo(ch);
            ch.force(true);
        }
    }

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it is a file. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + from + " to " + to + " atomically on this file system", e);
        }
    }

    /** Forces a directory's entries to disk, where the platform allows it. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open directories; the rename itself is still atomic
        }
    }

    /** Writes every remaining byte of {@code buffer}. */
    public static void writeFully(FileChannel ch, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }
}
