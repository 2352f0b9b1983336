package org.fedfms.shell.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.fedfms.shell.Table;

/**
 * What the console offers on Tab: command names (with and without their scope) at the start of a
 * statement, a command's options after {@code -}, and ids where a parameter or option says where they are
 * listed ({@code "experiment name, as listed by fedfms:experiments"}): the first column of that listing
 * command's table, run now, so the ids are those of the experiments and services present now.
 */
final class CommandCompleter {

    private static final Pattern LISTED_BY = Pattern.compile("as listed by (\\w+:[\\w-]+)");

    private final CommandIndex index;
    private final CommandSession session;

    /**
     * @param session a session of its own for completion (listing commands run in it), so that the
     *     user's session sees nothing of it
     */
    CommandCompleter(CommandIndex index, CommandSession session) {
        this.index = index;
        this.session = session;
    }

    /**
     * The candidates for the word at {@code wordIndex} of a line split into {@code words} (the word being
     * typed included, possibly empty). The console narrows them to those starting with what is typed.
     */
    List<String> complete(List<String> words, int wordIndex) {
        int start = statementStart(words, wordIndex);
        if (wordIndex == start) {
            return commandNames();
        }
        List<Method> methods = new ArrayList<>();
        for (String command : CommandIndex.matching(session, words.get(start))) {
            methods.addAll(index.methods(command));
        }
        if (methods.isEmpty()) {
            return List.of();
        }
        String current = wordIndex < words.size() ? words.get(wordIndex) : "";
        Parameter valueOf = option(methods, words.get(wordIndex - 1));
        if (valueOf != null) {
            return isFlag(valueOf) ? afterArguments(methods, words, start, wordIndex, current) : ids(valueOf);
        }
        return afterArguments(methods, words, start, wordIndex, current);
    }

    private List<String> afterArguments(List<Method> methods, List<String> words, int start, int wordIndex,
            String current) {
        if (current.startsWith("-")) {
            return optionNames(methods);
        }
        int position = 0;
        for (int i = start + 1; i < wordIndex; i++) {
            Parameter o = option(methods, words.get(i));
            if (o == null) {
                position++;
            } else if (!isFlag(o)) {
                i++;
            }
        }
        Set<String> ids = new LinkedHashSet<>();
        for (Method m : methods) {
            List<Parameter> positional = positional(m);
            if (positional.isEmpty()) {
                continue;
            }
            Parameter last = positional.get(positional.size() - 1);
            Parameter p = position < positional.size() ? positional.get(position)
                    : last.getType().isArray() ? last : null;
            if (p != null) {
                ids.addAll(ids(p));
            }
        }
        return new ArrayList<>(ids);
    }

    private static int statementStart(List<String> words, int wordIndex) {
        int start = 0;
        for (int i = 0; i < wordIndex && i < words.size(); i++) {
            String w = words.get(i);
            if (w.endsWith(";") || w.endsWith("|") || w.equals("{") || w.endsWith("(")) {
                start = i + 1;
            }
        }
        return start;
    }

    private List<String> commandNames() {
        Set<String> names = new LinkedHashSet<>();
        for (String command : CommandIndex.commands(session)) {
            names.add(command.substring(command.indexOf(':') + 1));
        }
        names.addAll(CommandIndex.commands(session));
        return new ArrayList<>(names);
    }

    private static List<String> optionNames(List<Method> methods) {
        Set<String> names = new LinkedHashSet<>();
        for (Method m : methods) {
            for (Parameter p : m.getParameters()) {
                org.apache.felix.service.command.Parameter o = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
                if (o != null) {
                    names.addAll(List.of(o.names()));
                }
            }
        }
        return new ArrayList<>(names);
    }

    /** The parameter of option {@code word}, or null when it is none of the methods' options. */
    private static Parameter option(List<Method> methods, String word) {
        for (Method m : methods) {
            for (Parameter p : m.getParameters()) {
                org.apache.felix.service.command.Parameter o = p.getAnnotation(org.apache.felix.service.command.Parameter.class);
                if (o != null && List.of(o.names()).contains(word)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static boolean isFlag(Parameter p) {
        return !org.apache.felix.service.command.Parameter.UNSPECIFIED.equals(
                p.getAnnotation(org.apache.felix.service.command.Parameter.class).presentValue());
    }

    private static List<Parameter> positional(Method m) {
        List<Parameter> found = new ArrayList<>();
        for (Parameter p : m.getParameters()) {
            if (p.getType() != CommandSession.class
                    && p.getAnnotation(org.apache.felix.service.command.Parameter.class) == null) {
                found.add(p);
            }
        }
        return found;
    }

    /** The ids the parameter's descriptor says where to find, as that listing command shows them now. */
    private List<String> ids(Parameter p) {
        Descriptor d = p.getAnnotation(Descriptor.class);
        Matcher m = LISTED_BY.matcher(d == null ? "" : d.value());
        if (!m.find()) {
            return List.of();
        }
        Object listing;
        try {
            listing = session.execute(m.group(1));
        } catch (Exception e) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        if (listing instanceof Table t) {
            for (List<String> row : t.rows()) {
                if (!row.isEmpty() && !row.get(0).isBlank()) {
                    ids.add(row.get(0));
                }
            }
        }
        return ids;
    }
}
