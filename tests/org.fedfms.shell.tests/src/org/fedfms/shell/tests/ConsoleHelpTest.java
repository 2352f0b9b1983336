package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;

/** help for every command (hyphenated ones too), usage errors in the commands' words, "did you mean". */
class ConsoleHelpTest {

    private Shell shell;

    @BeforeEach
    void open() throws Exception {
        shell = new Shell();
        Shell.awaitTrue(() -> shell.session.get("fedfms:dataset-info") != null
                && shell.session.get("fedfms:load-weights") != null, "the hyphenated commands");
    }

    @AfterEach
    void close() {
        shell.close();
    }

    @Test
    void helpListsEveryFedfmsCommandWithWhatItDoes() throws Exception {
        String help = shell.run("help");
        for (String command : List.of("dataset-info", "dataset-validate", "strategy-info", "experiment-save",
                "experiment-load", "model-info", "load-weights", "run", "metrics", "export", "datasets")) {
            assertTrue(help.contains("fedfms:" + command + " "), "help lists fedfms:" + command + ":\n" + help);
        }
        assertTrue(help.lines().anyMatch(l -> l.startsWith("fedfms:dataset-info ") && l.contains("dataset")),
                "with its description:\n" + help);
        assertFalse(help.contains("fedfms:default"), "the hook for unknown commands is not a command:\n" + help);
    }

    @Test
    void helpOfAHyphenatedCommandShowsUsageOptionsAndParameters() throws Exception {
        String info = shell.run("help fedfms:dataset-info");
        assertTrue(info.startsWith("fedfms:dataset-info - "), info);
        assertTrue(info.contains("usage: fedfms:dataset-info "), info);
        assertTrue(info.contains("parameters:"), info);
        String weights = shell.run("help load-weights");
        assertTrue(weights.contains("usage: fedfms:load-weights"), weights);
        String run = shell.run("help run");
        assertTrue(run.contains("usage: fedfms:run [--rounds <value>] [--background] <experiment name>"), run);
        assertTrue(run.contains("--background  start it and return at once"), run);
    }

    @Test
    void helpOfAnUnknownCommandSuggestsTheNearestOne() {
        String message = shell.error("help strategy-inf");
        assertTrue(message.contains("did you mean strategy-info?"), message);
    }

    @Test
    void everyCommandMethodAndParameterHasADescriptor() throws Exception {
        List<String> missing = new ArrayList<>();
        ServiceReference<?>[] refs = shell.context.getAllServiceReferences(null,
                "(" + CommandProcessor.COMMAND_SCOPE + "=fedfms)");
        assertNotNull(refs);
        int checked = 0;
        for (ServiceReference<?> ref : refs) {
            Object service = shell.context.getService(ref);
            try {
                if (service instanceof Function) {
                    continue;
                }
                if (service.getClass().getAnnotation(Descriptor.class) == null) {
                    missing.add(service.getClass().getSimpleName());
                }
                for (String function : functions(ref)) {
                    List<Method> methods = methods(service, function);
                    if (methods.isEmpty()) {
                        missing.add(function + ": no method");
                    }
                    for (Method m : methods) {
                        checked++;
                        if (m.getAnnotation(Descriptor.class) == null) {
                            missing.add(function + ": " + m);
                        }
                        Class<?>[] types = m.getParameterTypes();
                        Annotation[][] annotations = m.getParameterAnnotations();
                        for (int i = 0; i < types.length; i++) {
                            if (types[i] != CommandSession.class && List.of(annotations[i]).stream()
                                    .noneMatch(a -> a instanceof Descriptor)) {
                                missing.add(function + ": parameter " + i + " of " + m);
                            }
                        }
                    }
                }
            } finally {
                shell.context.ungetService(ref);
            }
        }
        assertTrue(checked >= 25, "found only " + checked + " command methods");
        assertEquals(List.of(), missing, "without @Descriptor");
    }

    @Test
    void wrongUsageSaysWhatIsWrongAndTheRightUsage() {
        String round = shell.error("fedfms:run --round 1 mini");
        assertTrue(round.startsWith("fedfms:run: unknown option --round (did you mean --rounds?)"), round);
        assertTrue(round.contains("usage: fedfms:run [--rounds <value>] [--background] <experiment name>"), round);
        assertFalse(round.contains("Cannot coerce"), round);
        String metrics = shell.error("metrics");
        assertTrue(metrics.startsWith("fedfms:metrics: takes "), metrics);
        assertTrue(metrics.contains(", got 0"), metrics);
        assertTrue(metrics.contains("usage: fedfms:metrics"), metrics);
        String value = shell.error("fedfms:run mini --rounds");
        assertTrue(value.contains("option --rounds needs a value"), value);
        String info = shell.error("fedfms:strategy-info");
        assertTrue(info.startsWith("fedfms:strategy-info: takes 1 argument (<strategy id>), got 0"), info);
    }

    @Test
    void aCommandsOwnErrorIsLeftAsItIs() {
        String message = shell.error("fedfms:strategy-info nosuch");
        assertTrue(message.startsWith("no strategy 'nosuch'; present: "), message);
    }

    @Test
    void anUnknownIdOrOptionGetsADidYouMean() {
        String strategy = shell.error("fedfms:strategy-info fedavgg");
        assertTrue(strategy.startsWith("no strategy 'fedavgg'; did you mean fedavg?; present: "), strategy);
        String option = shell.error("fedfms:run --roundz");
        assertTrue(option.contains("unknown option --roundz; did you mean --rounds? (options: --rounds --background)"),
                option);
    }

    @Test
    void anUnknownCommandGetsADidYouMean() {
        String message = shell.error("experimnt foo");
        assertTrue(message.contains("Command not found: experimnt; did you mean experiment?"), message);
        String far = shell.error("zzzzqqq");
        assertTrue(far.startsWith("Command not found: zzzzqqq"), far);
        assertFalse(far.contains("did you mean"), far);
    }

    private static List<String> functions(ServiceReference<?> ref) {
        List<String> names = new ArrayList<>();
        for (String key : List.of(CommandProcessor.COMMAND_FUNCTION, "fedfms.command.hyphenated")) {
            Object v = ref.getProperty(key);
            if (v instanceof String[] a) {
                names.addAll(List.of(a));
            } else if (v != null) {
                names.addAll(List.of(String.valueOf(v).split("\\s*,\\s*")));
            }
        }
        return names;
    }

    private static List<Method> methods(Object service, String function) {
        String name = function.replace("-", "").toLowerCase(Locale.ROOT);
        List<Method> found = new ArrayList<>();
        for (Method m : service.getClass().getMethods()) {
            if (m.getName().toLowerCase(Locale.ROOT).equals(name)) {
                found.add(m);
            }
        }
        return found;
    }
}
