package org.fedfms.federation.tests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A test on a fresh {@link TestEnv} each: the federation service, the fixture's services, a clean home; a test
 * that stops the federation bundle ({@link TestEnv#restartFederation}) finds it active again in the next.
 */
abstract class OnTestEnv {

    TestEnv env;

    @BeforeEach
    void openEnv() {
        env = new TestEnv();
    }

    @AfterEach
    void closeEnv() {
        env.close();
    }
}
