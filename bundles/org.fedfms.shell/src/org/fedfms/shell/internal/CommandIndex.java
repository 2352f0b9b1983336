package org.fedfms.shell.internal;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The commands Gogo knows now and the Java methods behind each: what {@code help} explains and what the
 * console completes.
 */
final class CommandIndex {

    /** The function Gogo calls, with the command's name first, for a command it cannot find. */
    static final String DEFAULT = "default";

    private final BundleContext context;

    CommandIndex(BundleContext context) {
        this.context = context;
    }

    /** Every command Gogo knows now, {@code scope:function}, except the hook for unknown commands. */
    static Set<String> commands(CommandSession session) {
        Set<String> all = new TreeSet<>();
        Object listed = session.get(".commands");
        if (listed instanceof Collection<?> c) {
            for (Object o : c) {
                String s = String.valueOf(o);
                if (s.indexOf(':') > 0 && !s.endsWith(":" + DEFAULT)) {
                    all.add(s);
                }
            }
        }
        return all;
    }

    /** The commands whose name, with or without its scope, is {@code name} (case ignored). */
    static List<String> matching(CommandSession session, String name) {
        List<String> matches = new ArrayList<>();
        for (String command : commands(session)) {
            if (command.equalsIgnoreCase(name) || command.toLowerCase().endsWith(":" + name.toLowerCase())) {
                matches.add(command);
            }
        }
        return matches;
    }

    /** The Java methods behind a command: the command set's for fedfms functions, the object's own otherwise. */
    List<Method> methods(String command) {
        int colon = command.indexOf(':');
        String scope = command.substring(0, colon);
        String function = command.substring(colon + 1);
        List<Method> found = new ArrayList<>();
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(null, "(&(" + CommandProcessor.COMMAND_SCOPE + "=" + scope + ")("
                    + CommandProcessor.COMMAND_FUNCTION + "=" + function + "))");
        } catch (InvalidSyntaxException e) {
            return found;
        }
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Object service = context.getService(ref);
            if (service == null) {
                continue;
            }
            try {
                List<Method> ms = service instanceof CommandFunction f ? Usage.methods(f.target(), f.method())
                        : Usage.methods(service, function);
                if (!ms.isEmpty()) {
                    return ms;
                }
            } finally {
                context.ungetService(ref);
            }
        }
        return found;
    }
}
