package org.fedfms.shell.tests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Tests that drive the shell: a fresh {@link Shell} for each test, closed after it. */
abstract class OnShell {

    Shell shell;

    @BeforeEach
    void openShell() throws Exception {
        shell = new Shell();
    }

    @AfterEach
    void closeShell() {
        shell.close();
    }
}
