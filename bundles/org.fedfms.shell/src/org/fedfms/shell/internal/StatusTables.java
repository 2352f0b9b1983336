package org.fedfms.shell.internal;

import org.fedfms.federation.FederationService;
import org.fedfms.shell.ExperimentTables;
import org.fedfms.shell.Table;

/** The status table of one experiment, as several commands return it. */
final class StatusTables {

    private StatusTables() {
    }

    static Table status(FederationService f, String name) {
        return ExperimentTables.status(f.spec(name), f.status(name), f.history(name),
                f.experimentsDirectory().resolve(name)).toTable();
    }
}
