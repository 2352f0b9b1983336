package org.fedfms.ui.internal.parts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.TitleAreaDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Text;
import org.fedfms.ui.internal.services.UpdateSiteBundles;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Lists the bundles of a FedFMS update site (a p2 repository folder) with what they provide and whether
 * they are installed; the user checks the ones to install.
 */
public class UpdateSiteDialog extends TitleAreaDialog {

    private final BundleContext context;
    private Path repository;
    private Text location;
    private Table table;
    private Button extensionsOnly;
    private List<UpdateSiteBundles.Offered> offered = List.of();
    private final List<UpdateSiteBundles.Offered> chosen = new ArrayList<>();

    public UpdateSiteDialog(Shell parent, Path repository, BundleContext context) {
        super(parent);
        this.repository = repository;
        this.context = context;
        setShellStyle(getShellStyle() | SWT.RESIZE);
    }

    @Override
    protected void configureShell(Shell shell) {
        super.configureShell(shell);
        shell.setText("Install from update site");
    }

    @Override
    protected Point getInitialSize() {
        return new Point(820, 520);
    }

    @Override
    protected Control createDialogArea(Composite parent) {
        setTitle("Install from the FedFMS update site");
        Composite area = (Composite) super.createDialogArea(parent);
        Composite c = new Composite(area, SWT.NONE);
        c.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        c.setLayout(new GridLayout(3, false));

        new Label(c, SWT.NONE).setText("Update site folder:");
        location = new Text(c, SWT.BORDER);
        location.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        location.setText(repository == null ? "" : repository.toString());
        location.addListener(SWT.DefaultSelection, e -> load(Path.of(location.getText().trim())));
        Button browse = new Button(c, SWT.PUSH);
        browse.setText("Browse…");
        browse.addListener(SWT.Selection, e -> {
            DirectoryDialog d = new DirectoryDialog(getShell());
            d.setMessage("Choose a p2 repository folder (it holds plugins/ and content.jar)");
            if (repository != null) {
                d.setFilterPath(repository.toString());
            }
            String dir = d.open();
            if (dir != null) {
                location.setText(dir);
                load(Path.of(dir));
            }
        });

        extensionsOnly = new Button(c, SWT.CHECK);
        extensionsOnly.setText("Only strategies and loaders");
        extensionsOnly.setSelection(true);
        extensionsOnly.setLayoutData(new GridData(SWT.BEGINNING, SWT.CENTER, false, false, 3, 1));
        extensionsOnly.addListener(SWT.Selection, e -> fill());

        table = new Table(c, SWT.BORDER | SWT.CHECK | SWT.FULL_SELECTION);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1));
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        for (String[] col : new String[][] {{"Bundle", "260"}, {"Version", "170"}, {"Provides", "110"},
            {"Installed", "170"}}) {
            TableColumn tc = new TableColumn(table, SWT.LEFT);
            tc.setText(col[0]);
            tc.setWidth(Integer.parseInt(col[1]));
        }
        table.addListener(SWT.Selection, e -> {
            if (e.detail == SWT.CHECK) {
                updateOk();
            }
        });
        if (repository != null) {
            load(repository);
        } else {
            setMessage("Choose the update site folder (releng/org.fedfms.updatesite/target/repository in a checkout).");
        }
        return area;
    }

    @Override
    protected void createButtonsForButtonBar(Composite parent) {
        createButton(parent, IDialogConstants.OK_ID, "Install", true);
        createButton(parent, IDialogConstants.CANCEL_ID, IDialogConstants.CANCEL_LABEL, false);
        updateOk();
    }

    private void load(Path folder) {
        repository = folder;
        try {
            if (!Files.isDirectory(folder)) {
                throw new IOException("no folder " + folder);
            }
            offered = UpdateSiteBundles.read(folder);
            setErrorMessage(null);
            setMessage(offered.size() + " bundles in " + folder + ". Check the ones to install; they start at once.");
        } catch (IOException e) {
            offered = List.of();
            setErrorMessage(e.getMessage());
        }
        fill();
    }

    private void fill() {
        table.removeAll();
        for (UpdateSiteBundles.Offered o : offered) {
            if (extensionsOnly.getSelection() && !o.extension()) {
                continue;
            }
            TableItem item = new TableItem(table, SWT.NONE);
            String installed = installed(o);
            item.setText(new String[] {o.symbolicName(), o.version(),
                o.provides().stream().map(UpdateSiteBundles.Provides::label).collect(Collectors.joining(", ")),
                installed});
            item.setData(o);
            if (!installed.isEmpty()) {
                item.setGrayed(true);
            }
        }
        updateOk();
    }

    private String installed(UpdateSiteBundles.Offered o) {
        List<String> versions = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (o.symbolicName().equals(b.getSymbolicName())) {
                versions.add(b.getVersion().toString() + " (" + BundlesPart.state(b) + ")");
            }
        }
        return String.join(", ", versions);
    }

    private void updateOk() {
        Button ok = getButton(IDialogConstants.OK_ID);
        if (ok == null || table == null) {
            return;
        }
        boolean any = false;
        for (TableItem i : table.getItems()) {
            any |= i.getChecked();
        }
        ok.setEnabled(any);
    }

    @Override
    protected void okPressed() {
        chosen.clear();
        for (TableItem i : table.getItems()) {
            if (i.getChecked()) {
                chosen.add((UpdateSiteBundles.Offered) i.getData());
            }
        }
        super.okPressed();
    }

    /** The bundles checked when the dialog closed with Install. */
    public List<UpdateSiteBundles.Offered> chosen() {
        return List.copyOf(chosen);
    }
}
