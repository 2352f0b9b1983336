package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.eclipse.e4.core.contexts.ContextInjectionFactory;
import org.eclipse.e4.core.contexts.EclipseContextFactory;
import org.eclipse.e4.core.contexts.IEclipseContext;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.ui.internal.forms.SettingsForm;
import org.fedfms.ui.internal.forms.WidgetName;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/**
 * SWT and e4 plumbing for the UI tests: one Display for the whole run (created on the test thread; needs an
 * X display, e.g. under xvfb-run), parts built in a Shell through e4 dependency injection, and waiting
 * with a timeout while the event loop runs.
 */
final class Ui {

    /** Long enough for a first part on a loaded CI machine; only failures wait this long. */
    static final long TIMEOUT_MS = 30_000;

    private Ui() {
    }

    static Display display() {
        if (System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null) {
            fail("the UI tests need an X display and DISPLAY is not set: run the build under xvfb-run -a");
        }
        return Display.getDefault();
    }

    static Shell shell() {
        Shell shell = new Shell(display());
        shell.setLayout(new FillLayout());
        shell.setSize(1000, 700);
        return shell;
    }

    /** Builds a part the way the workbench does: injected into a context that holds its parent composite. */
    static <T> T make(Class<T> partClass, Composite parent) {
        IEclipseContext context = EclipseContextFactory.create("test " + partClass.getSimpleName());
        context.set(Composite.class, parent);
        T part = ContextInjectionFactory.make(partClass, context);
        parent.addDisposeListener(e -> {
            ContextInjectionFactory.uninject(part, context);
            context.dispose();
        });
        parent.layout(true, true);
        return part;
    }

    /** Runs the event loop until {@code condition} holds; fails with {@code what} after the timeout. */
    static void waitUntil(String what, BooleanSupplier condition) {
        waitUntil(what, condition, () -> "");
    }

    static void waitUntil(String what, BooleanSupplier condition, Supplier<?> state) {
        waitUntil(what, TIMEOUT_MS, condition, state);
    }

    /** As {@link #waitUntil(String, BooleanSupplier, Supplier)}, for work that takes longer (real models). */
    static void waitUntil(String what, long timeoutMs, BooleanSupplier condition, Supplier<?> state) {
        Display display = display();
        long end = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                fail("timed out after " + timeoutMs + " ms waiting until " + what + "; now: " + state.get());
            }
            if (!display.readAndDispatch()) {
                display.timerExec(20, () -> { });
                display.sleep();
            }
        }
    }

    /** Runs pending events for a while (lets asynchronous updates that must NOT happen show up). */
    static void pump(long millis) {
        Display display = display();
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (!display.readAndDispatch()) {
                display.timerExec(10, () -> { });
                display.sleep();
            }
        }
    }

    static BundleContext context() {
        return FrameworkUtil.getBundle(Ui.class).getBundleContext();
    }

    static Bundle bundle(String symbolicName) {
        for (Bundle b : context().getBundles()) {
            if (symbolicName.equals(b.getSymbolicName()) && b.getState() != Bundle.UNINSTALLED) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    /** The widget of that type whose {@code fedfms.name} data is {@code name}, found under {@code root}. */
    static <T extends Control> T named(Composite root, Class<T> type, String name) {
        T found = find(root, type, name);
        if (found == null) {
            fail("no " + type.getSimpleName() + " named '" + name + "'");
        }
        return found;
    }

    private static <T extends Control> T find(Composite root, Class<T> type, String name) {
        for (Control c : root.getChildren()) {
            if (type.isInstance(c) && name.equals(c.getData(WidgetName.KEY))) {
                return type.cast(c);
            }
            if (c instanceof Composite child) {
                T found = find(child, type, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** The settings form shown under {@code root}, or null when none is. */
    static SettingsForm form(Composite root) {
        for (Control c : root.getChildren()) {
            SettingsForm form = SettingsForm.of(c);
            if (form == null && c instanceof Composite child) {
                form = form(child);
            }
            if (form != null) {
                return form;
            }
        }
        return null;
    }

    /** Selects the row whose first cell is {@code first}, as a click does; false if no row has it. */
    static boolean selectRow(Table table, String first) {
        for (int i = 0; i < table.getItemCount(); i++) {
            if (table.getItem(i).getText(0).equals(first)) {
                table.setSelection(i);
                table.notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
                return true;
            }
        }
        return false;
    }

    /** The texts of a table's first column, top to bottom. */
    static List<String> firstColumn(Table table) {
        List<String> cells = new ArrayList<>();
        for (TableItem item : table.getItems()) {
            cells.add(item.getText(0));
        }
        return cells;
    }

    /** Clicks a button or moves a scale as the user would: its selection, then its selection event. */
    static void select(Control control, boolean on) {
        if (control instanceof org.eclipse.swt.widgets.Button b) {
            b.setSelection(on);
        }
        control.notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
    }
}
