package org.fedfms.wire.protocol;

/**
 * Ends the process with status 2 when an end of the site protocol (coordinator or site agent) that was asked for
 * cannot start and the launcher set the system property {@value #PROPERTY}: a supervisor then sees the failure
 * instead of a live process that serves nothing.
 */
public final class StartFailure {

    /** System property that asks for the exit ({@code fedfms coordinator|site} set it). */
    public static final String PROPERTY = "fedfms.exitOnStartFailure";

    private static final System.Logger LOG = System.getLogger(StartFailure.class.getName());

    private StartFailure() {
    }

    /** Exits (from another thread, so that the framework can stop while this one holds the activation). */
    public static void exitIfAsked(String what) {
        if (!Boolean.getBoolean(PROPERTY)) {
            return;
        }
        LOG.log(System.Logger.Level.ERROR, "the " + what + " cannot start: the process exits with status 2");
        Thread exit = new Thread(() -> {
            Thread halt = new Thread(() -> {
                try {
                    Thread.sleep(15_000);
                } catch (InterruptedException e) {
                    return;
                }
                Runtime.getRuntime().halt(2);
            }, "fedfms-exit-halt");
            halt.setDaemon(true);
            halt.start();
            System.exit(2);
        }, "fedfms-exit");
        exit.start();
    }
}
