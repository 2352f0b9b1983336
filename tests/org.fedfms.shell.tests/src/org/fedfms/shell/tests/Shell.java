package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.fedfms.federation.FederationService;
import org.fedfms.testing.fixture.Conditions;
import org.fedfms.testing.fixture.TestFiles;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A Gogo session on the framework's CommandProcessor whose output is kept, the federation service for
 * checking what the commands did, and the fixture's options.
 */
final class Shell implements AutoCloseable {

    /** Options that make an experiment run on the fixture: linear regression on three small sites. */
    static final String FIXTURE = "--trainer linreg --dataset fixture --model linreg --adapter none --device cpu "
            + "--lr 0.05 --batch 4";

    final BundleContext context = FrameworkUtil.getBundle(Shell.class).getBundleContext();
    private final ServiceTracker<CommandProcessor, CommandProcessor> processors;
    private final ServiceTracker<FederationService, FederationService> federations;
    final CommandProcessor processor;
    final CommandSession session;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    Shell() throws InterruptedException {
        processors = new ServiceTracker<>(context, CommandProcessor.class, null);
        processors.open();
        federations = new ServiceTracker<>(context, FederationService.class, null);
        federations.open();
        processor = processors.waitForService(10_000);
        assertNotNull(processor, "no Gogo CommandProcessor");
        session = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        FederationService f = federation();
        awaitTrue(() -> f.loaders().contains(FixtureActivator.LOADER)
                && f.trainerFactories().contains(FixtureActivator.TRAINER)
                && f.strategies().stream().anyMatch(s -> s.id().equals("fedavg")), "the shell tests' fixture services "
                        + "(not the fixture bundle's of the same ids) and fedavg");
        awaitTrue(() -> session.get("fedfms:run") != null && session.get("fedfms:experiment-load") != null,
                "the fedfms experiment commands");
    }

    FederationService federation() {
        try {
            FederationService f = federations.waitForService(10_000);
            assertNotNull(f, "no FederationService within 10 s");
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs a command, returning its result object. */
    Object execute(String command) throws Exception {
        return session.execute(command);
    }

    /** Runs a command, returning its result as the console shows it. */
    String run(String command) throws Exception {
        Object result = session.execute(command);
        return result == null ? "" : format(result);
    }

    /** A command's result as the console shows it. */
    String format(Object result) {
        return session.format(result, Converter.INSPECT).toString();
    }

    /**
     * Runs {@code command} until its output satisfies {@code condition} (services come and go asynchronously),
     * for at most 10 s; returns the last output.
     */
    String awaitOutput(String command, Predicate<String> condition) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        String out = run(command);
        while (!condition.test(out) && System.currentTimeMillis() < end) {
            Thread.sleep(50);
            out = run(command);
        }
        return out;
    }

    /** The message of the error a command fails with. */
    String error(String command) {
        Exception e = assertThrows(Exception.class, () -> session.execute(command), command);
        return e.getMessage();
    }

    /** What the commands printed to the session so far. */
    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Forgets an experiment of an earlier run (one that went on by itself after a restart is cancelled), with its files. */
    void forget(String name) {
        FederationService f = federation();
        if (f.experiments().stream().anyMatch(s -> s.name().equals(name))) {
            f.cancel(name);
        }
        f.remove(name, true);
        deleteTree(federation().experimentsDirectory().resolve(name));
    }

    static void awaitTrue(BooleanSupplier condition, String what) {
        awaitTrue(condition, what, 10_000);
    }

    static void awaitTrue(BooleanSupplier condition, String what, long millis) {
        Conditions.awaitTrue(condition, () -> what, millis);
    }

    /** The checkout's root (the test runs somewhere below it): where releng/ and features/ are. */
    static Path checkoutRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("releng")) && Files.isDirectory(p.resolve("features"))) {
                return p;
            }
        }
        throw new AssertionError("no checkout root (with releng/ and features/) above " + dir);
    }

    static void deleteTree(Path root) {
        TestFiles.deleteTree(root);
    }

    @Override
    public void close() {
        session.close();
        processors.close();
        federations.close();
    }
}
