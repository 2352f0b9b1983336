package org.fedfms.djl.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;

/**
 * The native libraries this process has mapped (Linux: {@code /proc/self/maps}), found by file name and opened as
 * they are loaded, to call what libtorch and its OpenMP runtime export.
 */
public final class LoadedLibraries {

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOLOAD = 0x4;

    private LoadedLibraries() {
    }

    /** The files mapped into this process, each once; empty where {@code /proc/self/maps} does not exist. */
    public static List<Path> mapped() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return List.of();
        }
        return Files.readAllLines(maps).stream()
                .filter(l -> l.indexOf('/') >= 0)
                .map(l -> Path.of(l.substring(l.indexOf('/'))))
                .distinct()
                .toList();
    }

    /** The {@code libtorch_cpu.so} among {@code mapped}, if any. */
    public static Optional<Path> libtorch(List<Path> mapped) {
        return mapped.stream().filter(p -> p.getFileName().toString().equals("libtorch_cpu.so")).findFirst();
    }

    /**
     * The GNU OpenMP library among {@code mapped}: the one in {@code directory} (where libtorch's builds put their
     * own), else any (a libtorch built against the system's).
     */
    static Optional<Path> libgomp(List<Path> mapped, Path directory) {
        List<Path> gomps = mapped.stream().filter(p -> p.getFileName().toString().startsWith("libgomp")).toList();
        return gomps.stream().filter(p -> directory.equals(p.getParent())).findFirst()
                .or(() -> gomps.stream().findFirst());
    }

    /**
     * Opens {@code library}, already loaded, as it is: without {@code RTLD_NOLOAD} JNA's default {@code RTLD_GLOBAL}
     * would promote its symbols into the global scope of libraries loaded later.
     */
    public static NativeLibrary open(Path library) {
        return NativeLibrary.getInstance(library.toString(), Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
    }
}
