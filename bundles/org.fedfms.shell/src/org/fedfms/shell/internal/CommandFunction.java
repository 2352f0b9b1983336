package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.gogo.runtime.Reflective;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * One fedfms command as a Gogo function: it calls the command set's method with Gogo's own argument
 * coercion, and when Gogo finds no method that takes the arguments, it fails with what is wrong and the
 * right usage instead of Gogo's "Cannot coerce ...".
 *
 * @param command the scoped name, {@code fedfms:strategy-info}
 * @param target the command set
 * @param method the Java method name, {@code strategyInfo}
 */
record CommandFunction(String command, CommandSet target, String method) implements Function {

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        try {
            return Reflective.invoke(session, target, method, new ArrayList<>(arguments));
        } catch (IllegalArgumentException e) {
            if (!fromGogo(e)) {
                throw e;
            }
            List<String> args = arguments.stream().map(String::valueOf).toList();
            throw new IllegalArgumentException(Usage.explain(command, Usage.methods(target, method), args));
        }
    }

    /** True when Gogo itself found no method for the arguments (not when the command failed on them). */
    private static boolean fromGogo(IllegalArgumentException e) {
        StackTraceElement[] trace = e.getStackTrace();
        return e.getMessage() != null && e.getMessage().startsWith("Cannot coerce") && trace.length > 0
                && trace[0].getClassName().equals(Reflective.class.getName());
    }
}
