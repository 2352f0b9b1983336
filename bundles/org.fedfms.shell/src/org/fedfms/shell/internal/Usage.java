package org.fedfms.shell.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;

/**
 * What a Gogo command method takes, in words: its usage line, its help text, and what is wrong with
 * arguments Gogo could not fit to it. Works on any command object from its {@link Descriptor} and
 * {@link org.apache.felix.service.command.Parameter} annotations.
 */
final class Usage {

    private Usage() {
    }

    /** The public methods of {@code target} that implement Gogo function {@code function}. */
    static List<Method> methods(Object target, String function) {
        String camel = HyphenatedCommands.camelCase(function).toLowerCase(Locale.ROOT);
        List<Method> found = new ArrayList<>();
        for (Method m : target.getClass().getMethods()) {
            String n = m.getName().toLowerCase(Locale.ROOT);
            if (m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers())
                    && (n.equals(camel) || n.equals("_" + camel))) {
                found.add(m);
            }
        }
        found.sort(Comparator.comparingInt(Method::getParameterCount));
        return found;
    }

    /** {@code fedfms:run [--rounds <value>] [--background] <experiment name>}. */
    static String line(String command, Method m) {
        StringBuilder sb = new StringBuilder(command);
        for (Parameter p : m.getParameters()) {
            if (p.getType() == CommandSession.class) {
                continue;
            }
            org.apache.felix.service.command.Parameter o = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
            if (o != null) {
                sb.append(" [").append(o.names()[0]).append(isFlag(o) ? "" : " <value>").append(']');
            } else {
                sb.append(' ').append(placeholder(p));
            }
        }
        return sb.toString();
    }

    /** The help of one command method: what it does, its usage, options and parameters. */
    static String describe(String command, Method m) {
        StringBuilder sb = new StringBuilder(command);
        Descriptor d = m.getAnnotation(Descriptor.class);
        sb.append(d == null ? "" : " - " + d.value()).append('\n');
        sb.append("   usage: ").append(line(command, m)).append('\n');
        List<String> options = new ArrayList<>();
        List<String> params = new ArrayList<>();
        for (Parameter p : m.getParameters()) {
            if (p.getType() == CommandSession.class) {
                continue;
            }
            Descriptor pd = p.getAnnotation(Descriptor.class);
            String text = pd == null ? "" : pd.value();
            org.apache.felix.service.command.Parameter o = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
            if (o != null) {
                String absent = isFlag(o) || o.absentValue().isEmpty() ? "" : " (default: " + o.absentValue() + ")";
                options.add("      " + String.join(", ", o.names()) + (isFlag(o) ? "" : " <value>") + "  " + text
                        + absent);
            } else {
                params.add("      " + placeholder(p) + "  " + text);
            }
        }
        if (!options.isEmpty()) {
            sb.append("   options:\n").append(String.join("\n", options)).append('\n');
        }
        if (!params.isEmpty()) {
            sb.append("   parameters:\n").append(String.join("\n", params)).append('\n');
        }
        return sb.toString();
    }

    /**
     * Says what is wrong with {@code args} for the methods of {@code command} (Gogo found none that takes
     * them), followed by the right usage.
     */
    static String explain(String command, List<Method> methods, List<String> args) {
        List<String> options = new ArrayList<>();
        for (Method m : methods) {
            for (Parameter p : m.getParameters()) {
                org.apache.felix.service.command.Parameter o = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
                if (o != null) {
                    options.addAll(List.of(o.names()));
                }
            }
        }
        String problem = null;
        for (String a : args) {
            if (a.startsWith("-") && a.length() > 1 && !Character.isDigit(a.charAt(1)) && !options.contains(a)) {
                String near = closest(a, options);
                problem = "unknown option " + a + (near == null ? "" : " (did you mean " + near + "?)")
                        + "; options: " + (options.isEmpty() ? "none" : String.join(" ", options));
                break;
            }
        }
        if (problem == null && methods.size() == 1) {
            problem = arityProblem(methods.get(0), args);
        }
        if (problem == null) {
            problem = "these arguments do not fit: " + (args.isEmpty() ? "(none)" : String.join(" ", args));
        }
        StringBuilder sb = new StringBuilder(command).append(": ").append(problem);
        for (Method m : methods) {
            sb.append("\nusage: ").append(line(command, m));
        }
        return sb.append("\n('help ").append(command).append("' explains the command and its options)").toString();
    }

    private static String arityProblem(Method m, List<String> args) {
        List<String> positional = new ArrayList<>();
        boolean varargs = false;
        int given = args.size();
        for (Parameter p : m.getParameters()) {
            if (p.getType() == CommandSession.class) {
                continue;
            }
            org.apache.felix.service.command.Parameter o = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
            if (o == null) {
                positional.add(placeholder(p));
                varargs = p.getType().isArray();
                continue;
            }
            int at = indexOfAny(args, o.names());
            if (at >= 0) {
                if (!isFlag(o) && at == args.size() - 1) {
                    return "option " + args.get(at) + " needs a value";
                }
                given -= isFlag(o) ? 1 : 2;
            }
        }
        int needed = varargs ? positional.size() - 1 : positional.size();
        if (varargs ? given >= needed : given == needed) {
            return null;
        }
        String what = positional.isEmpty() ? "no arguments" : (varargs ? "at least " : "") + needed + " argument"
                + (needed == 1 ? "" : "s") + " (" + String.join(" ", positional) + ")";
        return "takes " + what + ", got " + given;
    }

    private static int indexOfAny(List<String> args, String[] names) {
        for (int i = 0; i < args.size(); i++) {
            if (List.of(names).contains(args.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isFlag(org.apache.felix.service.command.Parameter o) {
        return !org.apache.felix.service.command.Parameter.UNSPECIFIED.equals(o.presentValue());
    }

    /** {@code <experiment name>} from the parameter's descriptor (up to its first comma), {@code <value>} without one. */
    static String placeholder(Parameter p) {
        Descriptor d = p.getAnnotation(Descriptor.class);
        String name = d == null ? "value" : d.value().split("[,(:;]", 2)[0].trim();
        if (name.isEmpty()) {
            name = "value";
        }
        return "<" + name + ">" + (p.getType().isArray() ? "..." : "");
    }

    /** {@code "; did you mean fedavg?"} for the candidate nearest to {@code word}, or {@code ""}. */
    static String didYouMean(String word, Collection<String> candidates) {
        String near = closest(word, candidates);
        return near == null ? "" : "; did you mean " + near + "?";
    }

    /** The candidate nearest to {@code word} (edit distance at most a third of its length, at least 1), or null. */
    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Math.max(1, word.length() / 3) + 1;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
