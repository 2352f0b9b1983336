package org.fedfms.shell.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationService;
import org.junit.jupiter.api.Test;

/**
 * Runs that print a line every few milliseconds, interrupted at varying rounds: the cancel message must
 * reach the session every time. (Before the progress lines were written by a thread of their own, an
 * interrupt that landed during a write closed Gogo's session stream and the message was lost: 1 run in
 * 40 of this loop on a loaded 2-core machine.)
 */
class InterruptStressTest {

    private static final int RUNS = 10;

    @Test
    void cancelMessageReachesTheSessionAfterEveryInterrupt() throws Exception {
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            try (Shell shell = new Shell()) {
                String name = "shell-stress-" + i;
                shell.forget(name);
                FederationService f = shell.federation();
                shell.run("fedfms:experiment " + Shell.FIXTURE + " --rounds 100000 --options fitDelayMillis=0 " + name);
                Thread caller = new Thread(() -> {
                    try {
                        shell.execute("fedfms:run " + name);
                    } catch (Exception interrupted) {
                        // the interrupted command fails; its output is what is checked
                    }
                });
                caller.start();
                long rounds = 3 + (i % 7) * 5L;
                Shell.awaitTrue(() -> f.history(name).size() >= rounds, rounds + " completed rounds", 30_000);
                Shell.awaitTrue(() -> shell.session.foregroundJob() != null, "the run as the foreground job");
                shell.session.foregroundJob().interrupt();
                caller.join(20_000);
                long end = System.currentTimeMillis() + 20_000;
                while (!shell.output().contains("[" + name + "] cancelled:") && System.currentTimeMillis() < end) {
                    Thread.sleep(20);
                }
                if (!shell.output().contains("[" + name + "] cancelled:")) {
                    lost.add(name);
                }
                Shell.awaitTrue(() -> f.status(name).state() != ExperimentStatus.State.RUNNING, "the run to stop",
                        20_000);
                shell.forget(name);
            }
        }
        assertEquals(List.of(), lost, "runs whose cancel message was lost");
    }
}
