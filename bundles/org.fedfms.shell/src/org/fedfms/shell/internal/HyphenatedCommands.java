package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Registers every fedfms command as a {@link CommandFunction}: usage errors in the command's own words,
 * and hyphenated names ({@code strategy-info}, ...). Gogo matches a function name to a Java method name,
 * which cannot hold a hyphen; a command component that lists names in the service property
 * {@value #PROPERTY} gets, for each, a function that forwards to its camel-case method
 * ({@code strategyInfo}). The functions rank above the command component itself, so Gogo calls them.
 */
@Component(immediate = true)
public class HyphenatedCommands {

    /** Service property of a command component: the hyphenated names it implements. */
    public static final String PROPERTY = "fedfms.command.hyphenated";

    private final BundleContext context;
    private final Map<CommandSet, List<ServiceRegistration<Function>>> registrations = new ConcurrentHashMap<>();

    @Activate
    public HyphenatedCommands(BundleContext context) {
        this.context = context;
    }

    /** Ranks the functions above the command components, which Gogo also registers (at ranking 0). */
    static final int RANKING = 10;

    @Reference(target = "(" + CommandProcessor.COMMAND_SCOPE + "=*)",
            cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addCommands(CommandSet commands, Map<String, Object> properties) {
        register(commands, properties);
    }

    void removeCommands(CommandSet commands) {
        List<ServiceRegistration<Function>> regs = registrations.remove(commands);
        if (regs != null) {
            for (ServiceRegistration<Function> r : regs) {
                try {
                    r.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework is stopping
                }
            }
        }
    }

    @Deactivate
    void deactivate() {
        new ArrayList<>(registrations.keySet()).forEach(this::removeCommands);
    }

    private void register(CommandSet commands, Map<String, Object> properties) {
        Object scope = properties.getOrDefault(CommandProcessor.COMMAND_SCOPE, "fedfms");
        List<ServiceRegistration<Function>> regs = new ArrayList<>();
        List<String> functions = new ArrayList<>(names(properties.get(CommandProcessor.COMMAND_FUNCTION)));
        functions.addAll(names(properties.get(PROPERTY)));
        for (String name : functions) {
            Function f = new CommandFunction(scope + ":" + name, commands, camelCase(name));
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(CommandProcessor.COMMAND_SCOPE, scope);
            props.put(CommandProcessor.COMMAND_FUNCTION, new String[] {name});
            props.put(Constants.SERVICE_RANKING, RANKING);
            regs.add(context.registerService(Function.class, f, props));
        }
        registrations.put(commands, regs);
    }

    private static List<String> names(Object value) {
        if (value instanceof String[] a) {
            return List.of(a);
        }
        if (value instanceof Iterable<?> it) {
            List<String> l = new ArrayList<>();
            it.forEach(o -> l.add(String.valueOf(o)));
            return l;
        }
        return value == null ? List.of() : List.of(String.valueOf(value).split("\\s*,\\s*"));
    }

    /** {@code strategy-info} → {@code strategyInfo}. */
    static String camelCase(String hyphenated) {
        StringBuilder sb = new StringBuilder();
        boolean upper = false;
        for (char c : hyphenated.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }
}
