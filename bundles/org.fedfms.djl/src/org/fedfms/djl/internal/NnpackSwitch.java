package org.fedfms.djl.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.jna.Library;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * Turns libtorch's NNPACK off once the engine has loaded it, as {@code torch.backends.nnpack.set_flags(False)}
 * does in Python. libtorch asks for NNPACK before every convolution, and where NNPACK cannot start (on this
 * project's AMD EPYC build machines: "Unsupported hardware") it writes a warning to standard error each time,
 * dozens of lines a training step, right through the shell's progress line. NNPACK would only take
 * inference convolutions of 16 images or more, which oneDNN runs as well.
 *
 * <p>Only on Linux, where the loaded {@code libtorch_cpu.so} is found in {@code /proc/self/maps}; the switch is
 * libtorch's own {@code at::Context::setUserEnabledNNPACK}, which that library exports. A failure is logged and
 * changes nothing else.
 */
final class NnpackSwitch {

    static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    static final String SET_ENABLED = "_ZN2at7Context20setUserEnabledNNPACKEb";
    static final String ENABLED = "_ZNK2at7Context17userEnabledNNPACKEv";

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOLOAD = 0x4;
    private static final Logger LOG = LoggerFactory.getLogger(NnpackSwitch.class);

    private NnpackSwitch() {
    }

    /** Turns NNPACK off in the libtorch this process loaded; true if it is off now. */
    static boolean turnOff() {
        try {
            Optional<Path> libtorch = loadedLibtorch();
            if (libtorch.isEmpty()) {
                return false;
            }
            // the library already loaded, as it is: without RTLD_NOLOAD JNA's default RTLD_GLOBAL would promote its
            // symbols into the global scope of libraries loaded later
            NativeLibrary lib = NativeLibrary.getInstance(libtorch.get().toString(),
                    Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD));
            Pointer context = lib.getFunction(GLOBAL_CONTEXT).invokePointer(new Object[0]);
            lib.getFunction(SET_ENABLED).invokeVoid(new Object[] {context, Boolean.FALSE});
            // a C++ bool comes back in the low byte of the return register
            return (lib.getFunction(ENABLED).invokeInt(new Object[] {context}) & 0xff) == 0;
        } catch (IOException | RuntimeException | LinkageError e) {
            LOG.warn("NNPACK stays on in libtorch ({}); where it cannot start, libtorch warns at every convolution",
                    e.toString());
            return false;
        }
    }

    /** The {@code libtorch_cpu.so} mapped into this process, if any (Linux). */
    static Optional<Path> loadedLibtorch() throws IOException {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return Optional.empty();
        }
        return Files.readAllLines(maps).stream()
                .filter(l -> l.endsWith("/libtorch_cpu.so"))
                .map(l -> Path.of(l.substring(l.indexOf('/'))))
                .findFirst();
    }
}
