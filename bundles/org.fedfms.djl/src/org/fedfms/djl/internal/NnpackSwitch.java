package org.fedfms.djl.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(NnpackSwitch.class);

    private NnpackSwitch() {
    }

    /** Turns NNPACK off in the libtorch this process loaded; true if it is off now. */
    static boolean turnOff() {
        try {
            Optional<Path> libtorch = LoadedLibraries.libtorch(LoadedLibraries.mapped());
            if (libtorch.isEmpty()) {
                return false;
            }
            NativeLibrary lib = LoadedLibraries.open(libtorch.get());
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
}
