package org.fedfms.ui.internal.parts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.layout.RowLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.ui.internal.jobs.BackgroundWork;
import org.fedfms.ui.internal.services.UpdateSiteBundles;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.BundleListener;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * The bundles of the running workbench (FedFMS ones, or all) with their state and the FedFMS services
 * they register. Installs a strategy or loader bundle from a jar file or from the update site, and
 * starts, stops and uninstalls bundles, each in a background job; the Strategies part follows through
 * the service registry.
 */
public class BundlesPart {

    /** A bundle as a row shows it. */
    public record Row(long id, String symbolicName, String version, String state, String provides) {
    }

    /** The system property naming the update site folder that the install dialog opens first. */
    public static final String UPDATE_SITE_PROPERTY = "fedfms.updatesite";

    private BundleContext context;
    private Table table;
    private Button showAll;
    private Button start;
    private Button stop;
    private Button uninstall;
    private BundleListener bundleListener;
    private ServiceListener serviceListener;
    private volatile boolean refreshPosted;

    @Inject
    public BundlesPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        context = FrameworkUtil.getBundle(BundlesPart.class).getBundleContext();
        parent.setLayout(new GridLayout(1, false));

        Composite bar = new Composite(parent, SWT.NONE);
        bar.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        RowLayout row = new RowLayout(SWT.HORIZONTAL);
        row.center = true;
        bar.setLayout(row);
        button(bar, "Install jar…", "Install a strategy or loader bundle from a jar file and start it")
                .addListener(SWT.Selection, e -> installJar(parent.getShell()));
        button(bar, "Install from update site…", "Install bundles from the FedFMS p2 update site and start them")
                .addListener(SWT.Selection, e -> installFromUpdateSite(parent.getShell()));
        start = button(bar, "Start", "Start the selected bundle");
        start.addListener(SWT.Selection, e -> forSelected(parent.getShell(), "Start", Bundle::start));
        stop = button(bar, "Stop", "Stop the selected bundle; its services leave at once");
        stop.addListener(SWT.Selection, e -> forSelected(parent.getShell(), "Stop", Bundle::stop));
        uninstall = button(bar, "Uninstall", "Uninstall the selected bundle");
        uninstall.addListener(SWT.Selection, e -> forSelected(parent.getShell(), "Uninstall", b -> {
            b.uninstall();
            context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class).refreshBundles(null);
        }));
        showAll = new Button(bar, SWT.CHECK);
        showAll.setText("Show all bundles");
        showAll.setToolTipText("Show every bundle of the platform, not only the org.fedfms ones");
        showAll.addListener(SWT.Selection, e -> refresh());

        table = new Table(parent, SWT.BORDER | SWT.MULTI | SWT.FULL_SELECTION);
        WidgetName.set(table, "bundles");
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        column("Id", 45);
        column("Bundle", 220);
        column("Version", 165);
        column("State", 65);
        column("Provides", 220);
        table.addListener(SWT.Selection, e -> updateButtons());

        bundleListener = e -> postRefresh();
        serviceListener = e -> {
            if (e.getType() != ServiceEvent.MODIFIED_ENDMATCH) {
                postRefresh();
            }
        };
        context.addBundleListener(bundleListener);
        try {
            context.addServiceListener(serviceListener, "(objectClass=org.fedfms.*)");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        refresh();
    }

    private static Button button(Composite bar, String text, String tip) {
        Button b = new Button(bar, SWT.PUSH);
        b.setText(text);
        b.setToolTipText(tip);
        return b;
    }

    private void column(String title, int width) {
        TableColumn c = new TableColumn(table, SWT.LEFT);
        c.setText(title);
        c.setWidth(width);
    }

    private void postRefresh() {
        if (refreshPosted || table == null || table.isDisposed()) {
            return;
        }
        refreshPosted = true;
        table.getDisplay().asyncExec(() -> {
            refreshPosted = false;
            refresh();
        });
    }

    /** Re-reads the bundles from the framework. */
    public void refresh() {
        if (table.isDisposed()) {
            return;
        }
        List<Long> selected = new ArrayList<>();
        for (TableItem i : table.getSelection()) {
            selected.add(((Row) i.getData()).id());
        }
        table.setRedraw(false);
        try {
            table.removeAll();
            for (Row r : rows()) {
                TableItem item = new TableItem(table, SWT.NONE);
                item.setText(new String[] {Long.toString(r.id()), r.symbolicName(), r.version(), r.state(),
                    r.provides()});
                item.setData(r);
                if (selected.contains(r.id())) {
                    table.select(table.indexOf(item));
                }
            }
        } finally {
            table.setRedraw(true);
        }
        updateButtons();
    }

    /** The rows shown by the current filter, by bundle id. */
    private List<Row> rows() {
        boolean all = showAll != null && showAll.getSelection();
        List<Row> rows = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            String bsn = b.getSymbolicName() == null ? "(no symbolic name)" : b.getSymbolicName();
            if (all || bsn.startsWith("org.fedfms.")) {
                rows.add(new Row(b.getBundleId(), bsn, b.getVersion().toString(), state(b), provides(b)));
            }
        }
        rows.sort(Comparator.comparingLong(Row::id));
        return rows;
    }

    /** The bundle state as a word. */
    public static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.UNINSTALLED -> "uninstalled";
            case Bundle.INSTALLED -> "installed";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.STARTING -> (b.getHeaders("").get(Constants.BUNDLE_ACTIVATIONPOLICY) != null ? "lazy" : "starting");
            case Bundle.STOPPING -> "stopping";
            case Bundle.ACTIVE -> "active";
            default -> "state " + b.getState();
        };
    }

    private static String provides(Bundle b) {
        ServiceReference<?>[] refs;
        try {
            refs = b.getRegisteredServices();
        } catch (IllegalStateException uninstalled) {
            return "";
        }
        if (refs == null) {
            return "";
        }
        TreeSet<String> out = new TreeSet<>();
        for (ServiceReference<?> r : refs) {
            for (String cls : (String[]) r.getProperty(Constants.OBJECTCLASS)) {
                if (cls.startsWith("org.fedfms.api.")) {
                    String kind = switch (cls) {
                        case "org.fedfms.api.strategy.AggregationStrategy" -> "strategy";
                        case "org.fedfms.api.data.DatasetLoader" -> "loader";
                        default -> cls.substring(cls.lastIndexOf('.') + 1);
                    };
                    Object id = r.getProperty("id");
                    out.add(id == null ? kind : kind + " " + id);
                }
            }
        }
        return String.join(", ", out);
    }

    private List<Bundle> selectedBundles() {
        List<Bundle> out = new ArrayList<>();
        for (TableItem i : table.getSelection()) {
            Bundle b = context.getBundle(((Row) i.getData()).id());
            if (b != null) {
                out.add(b);
            }
        }
        return out;
    }

    private void updateButtons() {
        List<Bundle> sel = selectedBundles();
        boolean any = !sel.isEmpty();
        start.setEnabled(any && sel.stream().allMatch(b -> b.getState() != Bundle.ACTIVE && !fragment(b)));
        stop.setEnabled(any && sel.stream().allMatch(b -> b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING));
        uninstall.setEnabled(any);
    }

    private static boolean fragment(Bundle b) {
        return b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
    }

    private interface BundleAction {
        void apply(Bundle b) throws BundleException;
    }

    private void forSelected(Shell shell, String verb, BundleAction action) {
        List<Bundle> bundles = selectedBundles();
        Bundle own = context.getBundle();
        for (Bundle b : bundles) {
            if (b.getBundleId() == 0 || b.equals(own)) {
                MessageDialog.openInformation(shell, verb + " bundle", b.getSymbolicName()
                        + " runs the workbench itself; " + verb.toLowerCase(Locale.ROOT)
                        + " it from the shell product instead.");
                return;
            }
        }
        List<Bundle> foreign = bundles.stream().filter(b -> !b.getSymbolicName().startsWith("org.fedfms.")).toList();
        if (!"Start".equals(verb) && !foreign.isEmpty() && !MessageDialog.openConfirm(shell, verb + " bundle",
                verb + " " + foreign.get(0).getSymbolicName() + (foreign.size() > 1 ? " and others" : "")
                        + "? The workbench may depend on it.")) {
            return;
        }
        for (Bundle b : bundles) {
            String what = verb + " " + b.getSymbolicName() + " " + b.getVersion();
            BackgroundWork.start(what, shell, monitor -> {
                monitor.subTask(what);
                action.apply(b);
                monitor.worked(100);
            });
        }
    }

    private void installJar(Shell shell) {
        FileDialog dialog = new FileDialog(shell, SWT.OPEN | SWT.MULTI);
        dialog.setText("Install bundle from jar");
        dialog.setFilterExtensions(new String[] {"*.jar", "*"});
        if (dialog.open() == null) {
            return;
        }
        List<Path> jars = new ArrayList<>();
        for (String name : dialog.getFileNames()) {
            jars.add(Path.of(dialog.getFilterPath(), name));
        }
        install(shell, jars);
    }

    private void installFromUpdateSite(Shell shell) {
        String configured = System.getProperty(UPDATE_SITE_PROPERTY);
        Path initial = configured == null ? null : Path.of(configured);
        UpdateSiteDialog dialog = new UpdateSiteDialog(shell, initial, context);
        if (dialog.open() == UpdateSiteDialog.OK) {
            install(shell, dialog.chosen().stream().map(UpdateSiteBundles.Offered::jar).toList());
        }
    }

    /** Installs the jars and starts the bundles that are not fragments, in one background job. */
    public void install(Shell shell, List<Path> jars) {
        if (jars.isEmpty()) {
            return;
        }
        String what = jars.size() == 1 ? "Install " + jars.get(0).getFileName() : "Install " + jars.size() + " bundles";
        BackgroundWork.start(what, shell, monitor -> installAndStart(context, jars, monitor));
    }

    /**
     * Installs each jar as a bundle and starts it unless it is a fragment.
     *
     * @throws BundleException naming the jar when one cannot be installed or started; the bundles before it
     *         stay installed
     */
    public static List<Bundle> installAndStart(BundleContext context, List<Path> jars, SubMonitor monitor)
            throws Exception {
        SubMonitor sub = SubMonitor.convert(monitor, jars.size() * 2);
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : jars) {
            sub.checkCanceled();
            if (!Files.isRegularFile(jar)) {
                throw new BundleException("no bundle jar at " + jar);
            }
            UpdateSiteBundles.Offered offered = UpdateSiteBundles.readJar(jar);
            if (offered == null) {
                throw new BundleException(jar + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName");
            }
            for (Bundle b : context.getBundles()) {
                if (offered.symbolicName().equals(b.getSymbolicName())
                        && offered.version().equals(b.getVersion().toString())) {
                    throw new BundleException(offered.symbolicName() + " " + offered.version()
                            + " is already installed (bundle " + b.getBundleId() + ", " + state(b) + ")");
                }
            }
            sub.subTask("installing " + jar.getFileName());
            Bundle b = context.installBundle(jar.toUri().toString());
            installed.add(b);
            sub.worked(1);
            if (!offered.fragment()) {
                sub.subTask("starting " + b.getSymbolicName());
                try {
                    b.start();
                } catch (BundleException e) {
                    throw new BundleException(b.getSymbolicName() + " was installed from " + jar
                            + " but could not start: " + e.getMessage(), e);
                }
            }
            sub.worked(1);
        }
        return installed;
    }

    @Focus
    public void focus() {
        table.setFocus();
    }

    @PreDestroy
    public void dispose() {
        if (context != null) {
            try {
                context.removeBundleListener(bundleListener);
                context.removeServiceListener(serviceListener);
            } catch (IllegalStateException stopping) {
                // the framework is shutting down; nothing left to remove
            }
        }
    }
}
