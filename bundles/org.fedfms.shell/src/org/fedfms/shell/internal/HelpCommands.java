package org.fedfms.shell.internal;

import java.lang.reflect.Method;
import java.util.Hashtable;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * {@code help} for every command, hyphenated ones included (it replaces Gogo's {@code felix:help}, which
 * finds only commands whose Java method has the command's name), and "did you mean" for an unknown
 * command (Gogo calls a function named {@code default} for a command it cannot find). Immediate: Gogo gets a
 * command's service only when it is called, and the {@code default} function must be there before.
 */
@Component(immediate = true, service = HelpCommands.class, property = {
    "osgi.command.scope=felix",
    "osgi.command.function=help",
    Constants.SERVICE_RANKING + ":Integer=100"})
public class HelpCommands {

    /** The function Gogo calls, with the command's name first, for a command it cannot find. */
    static final String DEFAULT = CommandIndex.DEFAULT;

    private final CommandIndex index;
    private final ServiceRegistration<Function> unknown;

    @Activate
    public HelpCommands(BundleContext context) {
        this.index = new CommandIndex(context);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(CommandProcessor.COMMAND_SCOPE, "fedfms");
        props.put(CommandProcessor.COMMAND_FUNCTION, new String[] {DEFAULT});
        unknown = context.registerService(Function.class, this::unknownCommand, props);
    }

    @Deactivate
    void deactivate() {
        try {
            unknown.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping
        }
    }

    @Descriptor("list every command, with what it does")
    public String help(CommandSession session) {
        TreeMap<String, String> lines = new TreeMap<>();
        for (String command : CommandIndex.commands(session)) {
            String text = "";
            for (Method m : index.methods(command)) {
                Descriptor d = m.getAnnotation(Descriptor.class);
                if (d != null) {
                    text = d.value();
                    break;
                }
            }
            lines.put(command, text);
        }
        StringBuilder sb = new StringBuilder();
        lines.forEach((c, t) -> sb.append(String.format("%-26s %s%n", c, firstSentence(t))));
        return sb.append("'help COMMAND' shows a command's usage, options and parameters").toString();
    }

    @Descriptor("show a command's usage, options and parameters")
    public String help(CommandSession session,
            @Descriptor("command name, with or without its scope: run, fedfms:dataset-info, lb") String name) {
        StringBuilder sb = new StringBuilder();
        for (String command : CommandIndex.matching(session, name)) {
            for (Method m : index.methods(command)) {
                sb.append(Usage.describe(command, m)).append('\n');
            }
        }
        if (sb.length() == 0) {
            throw new IllegalArgumentException(notFound(session, name));
        }
        return sb.toString().stripTrailing();
    }

    private Object unknownCommand(CommandSession session, List<Object> arguments) {
        String name = arguments.isEmpty() ? "" : String.valueOf(arguments.get(0));
        throw new IllegalArgumentException(notFound(session, name));
    }

    private String notFound(CommandSession session, String name) {
        Set<String> candidates = new TreeSet<>();
        for (String command : CommandIndex.commands(session)) {
            candidates.add(command);
            candidates.add(command.substring(command.indexOf(':') + 1));
        }
        String near = Usage.closest(name, candidates);
        return "Command not found: " + name + (near == null ? "" : "; did you mean " + near + "?")
                + " ('help' lists every command)";
    }

    private static String firstSentence(String text) {
        int end = text.indexOf("; ");
        return end < 0 ? text : text.substring(0, end);
    }
}
