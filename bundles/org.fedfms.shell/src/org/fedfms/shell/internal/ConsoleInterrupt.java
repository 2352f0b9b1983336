package org.fedfms.shell.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Ctrl-C (SIGINT) for the launcher's console modes, through the JDK's {@code sun.misc.Signal}
 * (module jdk.unsupported), looked up reflectively so that the bundle imports nothing from it. Where the
 * JVM offers no such class, Ctrl-C keeps ending the JVM as usual.
 */
final class ConsoleInterrupt {

    private static final System.Logger LOG = System.getLogger(ConsoleInterrupt.class.getName());

    private ConsoleInterrupt() {
    }

    /** Runs {@code handler} on each SIGINT instead of ending the JVM; false if that cannot be arranged. */
    static boolean install(Runnable handler) {
        try {
            ClassLoader system = ClassLoader.getSystemClassLoader();
            Class<?> signalType = Class.forName("sun.misc.Signal", true, system);
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler", true, system);
            Object signal = signalType.getConstructor(String.class).newInstance("INT");
            Object proxy = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                    (self, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            handler.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        case "toString" -> "fedfms console interrupt handler";
                        default -> null;
                    });
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            handle.invoke(null, signal, proxy);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "Ctrl-C cannot be caught in this JVM: " + e);
            return false;
        }
    }
}
