package org.fedfms.ui.internal.parts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.api.RoundResult;
import org.fedfms.api.SiteRoundResult;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.ui.internal.services.FederationAccess;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The sites of the round running now (or the last one): which are training, which delivered, which
 * failed and why. Follows the experiment whose round started last, from {@link FederationEvent.RoundStarted}
 * and {@link FederationEvent.SiteFinished} events; sites not chosen for the round wait.
 */
public class SitesPart {

    /** What a site does in the round shown. */
    private enum SiteState {
        /** Not chosen for this round. */
        WAITING,
        /** Chosen; its update has not arrived yet. */
        TRAINING,
        /** Its update arrived and was accepted. */
        DONE,
        /** It failed or missed the deadline. */
        FAILED
    }

    /** A site as its row shows it. */
    private record Row(String site, SiteState state, int round, long samples, String metrics, long durationMillis,
            String reason) {
    }

    private FederationAccess federation;
    private Label heading;
    private Table table;
    private String experiment;
    private int round;
    private final Map<String, Row> rows = new LinkedHashMap<>();

    @Inject
    public SitesPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        parent.setLayout(new GridLayout(1, false));
        heading = WidgetName.set(new Label(parent, SWT.NONE), "sites.heading");
        heading.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        table = WidgetName.set(new Table(parent, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION), "sites.table");
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Site", "110"}, {"State", "80"}, {"Round", "55"}, {"Samples", "70"},
            {"Fit metrics", "170"}, {"Duration", "75"}, {"Reason", "500"}}) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        federation = new FederationAccess(parent.getDisplay(), this::onEvent);
        fill();
    }

    private void onEvent(FederationEvent event) {
        if (table.isDisposed()) {
            return;
        }
        if (event instanceof FederationEvent.RoundStarted started) {
            if (!started.experiment().equals(experiment)) {
                experiment = started.experiment();
                rows.clear();
                knownSites(experiment);
            }
            round = started.round();
            for (Map.Entry<String, Row> e : rows.entrySet()) {
                e.setValue(new Row(e.getKey(), SiteState.WAITING, round, 0, "", 0, "not chosen for this round"));
            }
            for (String site : started.sites()) {
                rows.put(site, new Row(site, SiteState.TRAINING, round, 0, "", 0, ""));
            }
        } else if (event instanceof FederationEvent.SiteFinished finished
                && finished.experiment().equals(experiment) && finished.round() == round) {
            SiteRoundResult s = finished.site();
            rows.put(s.siteId(), row(s, round));
        } else if (event instanceof FederationEvent.RoundCompleted completed
                && completed.experiment().equals(experiment) && completed.result().round() == round) {
            for (SiteRoundResult s : completed.result().sites()) {
                rows.put(s.siteId(), row(s, round));
            }
        } else {
            return;
        }
        fill();
    }

    private void knownSites(String name) {
        FederationService f = federation.current();
        if (f == null) {
            return;
        }
        try {
            List<RoundResult> history = f.history(name);
            if (!history.isEmpty()) {
                history.get(history.size() - 1).sites().forEach(s -> rows.put(s.siteId(), row(s, 0)));
            }
        } catch (RuntimeException removed) {
            // the experiment is gone: only the events' sites are shown
        }
    }

    private static Row row(SiteRoundResult s, int round) {
        SiteState state = switch (s.status()) {
            case OK -> SiteState.DONE;
            case FAILED -> SiteState.FAILED;
            case SKIPPED -> SiteState.WAITING;
        };
        String reason = s.error() != null ? s.error() : s.status() == SiteRoundResult.Status.SKIPPED
                ? "not chosen for this round" : "";
        String metrics = s.fitMetrics().values().entrySet().stream()
                .map(e -> e.getKey() + "=" + LineChart.format(e.getValue())).collect(Collectors.joining(" "));
        return new Row(s.siteId(), state, round, s.sampleCount(), metrics, s.durationMillis(), reason);
    }

    private void fill() {
        if (experiment == null) {
            heading.setText("No round has started since the workbench opened.");
        } else {
            long training = rows.values().stream().filter(r -> r.state() == SiteState.TRAINING).count();
            heading.setText("Experiment " + experiment + ", round " + round
                    + (training > 0 ? ": " + training + " sites training" : ": all chosen sites have finished"));
        }
        table.setRedraw(false);
        try {
            table.removeAll();
            for (Row r : rows.values()) {
                TableItem item = new TableItem(table, SWT.NONE);
                item.setText(new String[] {r.site(), r.state().name().toLowerCase(java.util.Locale.ROOT),
                    Integer.toString(r.round()), Long.toString(r.samples()), r.metrics(), r.durationMillis() + " ms",
                    r.reason()});
                if (r.state() == SiteState.FAILED) {
                    item.setForeground(1, table.getDisplay().getSystemColor(SWT.COLOR_RED));
                } else if (r.state() == SiteState.DONE) {
                    item.setForeground(1, table.getDisplay().getSystemColor(SWT.COLOR_DARK_GREEN));
                }
            }
        } finally {
            table.setRedraw(true);
        }
        heading.getParent().layout();
    }

    @Focus
    public void focus() {
        table.setFocus();
    }

    @PreDestroy
    public void dispose() {
        if (federation != null) {
            federation.close();
        }
    }
}
