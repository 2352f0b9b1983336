package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.DataTable;
import org.fedfms.shell.ExperimentTables;
import org.fedfms.shell.Table;

/** The status table of one experiment, as several commands return it. */
final class StatusTables {

    private StatusTables() {
    }

    static Table status(FederationService f, String name) {
        DataTable t = ExperimentTables.status(f.spec(name), f.status(name), f.history(name),
                f.experimentsDirectory().resolve(name));
        List<List<Object>> rows = new ArrayList<>(t.rows());
        rows.add(List.of("last progress", progress(f.progress(name).values())));
        return new DataTable(t.title(), t.headers(), rows).toTable();
    }

    /** {@code round 3: site-1 batch 3/12, 1.6 samples/s, ETA 0:45; ...}: each site's last batch reported. */
    static String progress(Collection<FederationEvent.SiteProgress> last) {
        if (last.isEmpty()) {
            return "-";
        }
        return "round " + last.iterator().next().round() + ": " + last.stream()
                .map(p -> p.site() + " " + ForegroundRun.progressText(p)).collect(Collectors.joining("; "));
    }
}
