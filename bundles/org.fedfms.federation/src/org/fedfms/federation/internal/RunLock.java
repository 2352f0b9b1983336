package org.fedfms.federation.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.io.AtomicFiles;

/**
 * Who runs an experiment: while a run (or a single round) is in progress, its process holds an OS file lock
 * on {@code NAME.lock} in {@value #DIRECTORY} of the experiments directory (beside the experiment's own
 * directory, which stays the experiment's files only), and writes its pid, host and start time to
 * {@code NAME.owner} next to it. Another
 * process, or another federation service in this one, finds the lock taken and neither runs nor resumes the
 * experiment; the lock goes with the process that dies, so a crashed run can be taken over.
 *
 * <p>OS file locks belong to the process, and closing any channel of a locked file releases them all: the
 * locks this process holds are therefore also kept in a JVM-wide table, consulted before a lock file is opened,
 * and who owns a lock is read from the owner file, never from the lock file.
 */
final class RunLock {

    /** The directory of the lock files, in the experiments directory. */
    static final String DIRECTORY = ".locks";

    /** The locks held in this process, by lock file: one per experiment directory. */
    private static final Map<Path, RunLock> HELD = new ConcurrentHashMap<>();

    private final Path file;
    private final Path ownerFile;
    private FileChannel channel;
    private FileLock lock;
    private String owner;

    /** The lock of the experiment in {@code experimentDir} (a directory of the experiments directory). */
    RunLock(Path experimentDir) {
        Path dir = experimentDir.toAbsolutePath().normalize();
        this.file = dir.resolveSibling(DIRECTORY).resolve(dir.getFileName() + ".lock");
        this.ownerFile = file.resolveSibling(dir.getFileName() + ".owner");
    }

    /** The lock file. */
    Path file() {
        return file;
    }

    /**
     * Takes the lock for this process; returns null when taken, else who holds it ({@code "process 1234 on
     * host since 2026-12-07T14:00:00Z"}). Taking it again while held is allowed.
     */
    String acquire() {
        synchronized (HELD) {
            RunLock holder = HELD.get(file);
            if (holder == this) {
                return null;
            }
            if (holder != null) {
                return holder.owner() + " (another federation service in this process)";
            }
            try {
                Files.createDirectories(file.getParent());
                FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock l;
                try {
                    l = c.tryLock();
                } catch (OverlappingFileLockException | IOException x) {
                    l = null;
                }
                if (l == null) {
                    c.close();
                    return ownerInFile();
                }
                owner = "process " + ProcessHandle.current().pid() + " on " + host() + " since " + Instant.now();
                try {
                    AtomicFiles.write(ownerFile, (owner + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException x) {
                    l.release();
                    c.close();
                    throw x;
                }
                channel = c;
                lock = l;
                HELD.put(file, this);
                return null;
            } catch (IOException x) {
                return "nobody known: the lock file " + file + " cannot be opened (" + x.getMessage() + ")";
            }
        }
    }

    /** Releases the lock if this holds it (the lock file stays; the owner file goes). */
    void release() {
        synchronized (HELD) {
            if (HELD.get(file) != this) {
                return;
            }
            HELD.remove(file);
            try {
                Files.deleteIfExists(ownerFile);
                lock.release();
            } catch (IOException x) {
                // closing the channel below releases it anyway
            } finally {
                try {
                    channel.close();
                } catch (IOException x) {
                    // nothing left to do
                }
                channel = null;
                lock = null;
            }
        }
    }

    /** Who holds the lock when someone other than this does, else null (free or held by this). */
    String heldElsewhere() {
        synchronized (HELD) {
            RunLock holder = HELD.get(file);
            if (holder != null) {
                return holder == this ? null : holder.owner() + " (another federation service in this process)";
            }
            if (!Files.exists(file)) {
                return null;
            }
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                FileLock l = c.tryLock();
                if (l != null) {
                    l.release();
                    return null;
                }
            } catch (IOException | OverlappingFileLockException x) {
                // taken, or unreadable: said below
            }
            return ownerInFile();
        }
    }

    private String owner() {
        return owner;
    }

    private String ownerInFile() {
        try {
            String text = Files.readString(ownerFile, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "another process" : text;
        } catch (IOException x) {
            return "another process";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException x) {
            return "localhost";
        }
    }
}
