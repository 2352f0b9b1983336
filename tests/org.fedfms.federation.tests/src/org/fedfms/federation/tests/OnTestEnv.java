package org.fedfms.federation.tests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test on a fresh {@link TestEnv} each: the federation service, the fixture's services, a clean home. */
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
