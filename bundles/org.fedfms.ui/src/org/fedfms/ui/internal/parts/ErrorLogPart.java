package org.fedfms.ui.internal.parts;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.fedfms.ui.internal.forms.WidgetName;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.util.tracker.ServiceTracker;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * Warnings and errors of the running workbench, newest first: failed background jobs, bundles that
 * cannot start, component failures — everything logged through the OSGi log at level WARN or worse.
 * Selecting an entry shows its exception.
 */
public class ErrorLogPart {

    /** An entry as a row shows it. */
    public record Entry(long time, String level, String bundle, String message, String exception) {
    }

    /** Most entries kept; older ones are dropped. */
    public static final int CAPACITY = 500;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final List<Entry> entries = new ArrayList<>();
    private Table table;
    private Text details;
    private Label summary;
    private ServiceTracker<LogReaderService, LogReaderService> readers;
    private final LogListener listener = this::logged;
    private Display display;

    @Inject
    public ErrorLogPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        display = parent.getDisplay();
        parent.setLayout(new GridLayout(2, false));
        summary = new Label(parent, SWT.NONE);
        summary.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        Button clear = new Button(parent, SWT.PUSH);
        clear.setText("Clear");
        clear.addListener(SWT.Selection, e -> {
            entries.clear();
            fill();
        });

        SashForm sash = new SashForm(parent, SWT.VERTICAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
        table = WidgetName.set(new Table(sash, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION), "error-log");
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Time", "95"}, {"Level", "60"}, {"Bundle", "150"},
            {"Message", "900"}}) {
            TableColumn c = new TableColumn(table, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        table.addListener(SWT.Selection, e -> showDetails());
        Composite detailHolder = new Composite(sash, SWT.NONE);
        detailHolder.setLayout(new FillLayout());
        details = new Text(detailHolder, SWT.BORDER | SWT.MULTI | SWT.READ_ONLY | SWT.V_SCROLL | SWT.H_SCROLL);
        sash.setWeights(65, 35);

        BundleContext context = FrameworkUtil.getBundle(ErrorLogPart.class).getBundleContext();
        readers = new ServiceTracker<>(context, LogReaderService.class, null) {
            @Override
            public LogReaderService addingService(ServiceReference<LogReaderService> ref) {
                LogReaderService reader = super.addingService(ref);
                if (reader != null) {
                    List<LogEntry> history = new ArrayList<>();
                    Enumeration<LogEntry> log = reader.getLog();
                    while (log.hasMoreElements()) {
                        history.add(log.nextElement());
                    }
                    Collections.reverse(history); // getLog() is newest first
                    history.forEach(ErrorLogPart.this::logged);
                    reader.addLogListener(listener);
                }
                return reader;
            }

            @Override
            public void removedService(ServiceReference<LogReaderService> ref,
                    LogReaderService reader) {
                reader.removeLogListener(listener);
                super.removedService(ref, reader);
            }
        };
        readers.open();
        fill();
    }

    private void logged(LogEntry e) {
        LogLevel level = e.getLogLevel();
        if (level != LogLevel.WARN && level != LogLevel.ERROR && level != LogLevel.AUDIT) {
            return;
        }
        String exception = "";
        if (e.getException() != null) {
            StringWriter w = new StringWriter();
            e.getException().printStackTrace(new PrintWriter(w));
            exception = w.toString();
        }
        String bundle = e.getBundle() == null || e.getBundle().getSymbolicName() == null ? ""
                : e.getBundle().getSymbolicName();
        Entry entry = new Entry(e.getTime(), level.name().toLowerCase(Locale.ROOT), bundle,
                String.valueOf(e.getMessage()), exception);
        if (display.isDisposed()) {
            return;
        }
        display.asyncExec(() -> {
            if (table.isDisposed()) {
                return;
            }
            entries.add(0, entry);
            if (entries.size() > CAPACITY) {
                entries.remove(entries.size() - 1);
            }
            fill();
        });
    }

    private void fill() {
        table.removeAll();
        for (Entry e : entries) {
            TableItem item = new TableItem(table, SWT.NONE);
            item.setText(new String[] {TIME.format(Instant.ofEpochMilli(e.time())), e.level(), e.bundle(),
                e.message().lines().findFirst().orElse("")});
            item.setData(e);
            if ("error".equals(e.level())) {
                item.setForeground(1, display.getSystemColor(SWT.COLOR_RED));
            }
        }
        long errors = entries.stream().filter(e -> "error".equals(e.level())).count();
        long warnings = entries.size() - errors;
        summary.setText(entries.isEmpty() ? "No warnings or errors."
                : count(errors, "error") + ", " + count(warnings, "warning"));
        summary.getParent().layout();
        showDetails();
    }

    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private void showDetails() {
        TableItem[] sel = table.getSelection();
        if (sel.length == 0) {
            details.setText("");
            return;
        }
        Entry e = (Entry) sel[0].getData();
        details.setText(e.message() + (e.exception().isEmpty() ? "" : "\n\n" + e.exception()));
    }

    @Focus
    public void focus() {
        table.setFocus();
    }

    @PreDestroy
    public void dispose() {
        if (readers != null) {
            readers.close();
        }
    }
}
