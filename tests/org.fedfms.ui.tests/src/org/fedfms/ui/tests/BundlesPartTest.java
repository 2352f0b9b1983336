package org.fedfms.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import org.eclipse.core.runtime.FileLocator;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.ui.internal.parts.BundlesPart;
import org.fedfms.ui.internal.parts.StrategiesPart;
import org.fedfms.ui.internal.services.UpdateSiteBundles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * The Bundles part next to the Strategies part: bundle states follow the framework, and a strategy bundle
 * installed from a jar or an update site folder shows up as a strategy without a restart.
 */
class BundlesPartTest {

    private static final String FEDAVG_BUNDLE = "org.fedfms.strategy.fedavg";

    @TempDir
    Path temp;

    private Shell shell;

    @BeforeEach
    void open() throws Exception {
        Ui.bundle(FEDAVG_BUNDLE).start();
        shell = Ui.shell();
        SashForm sash = new SashForm(shell, 0);
        Ui.make(BundlesPart.class, new org.eclipse.swt.widgets.Composite(sash, 0));
        Ui.make(StrategiesPart.class, new org.eclipse.swt.widgets.Composite(sash, 0));
        shell.layout(true, true);
        shell.open();
        Ui.waitUntil("fedavg is listed", () -> strategyIds().contains("fedavg"), this::strategyIds);
    }

    @AfterEach
    void close() throws Exception {
        shell.dispose();
        Ui.bundle(FEDAVG_BUNDLE).start();
    }

    private List<String> strategyIds() {
        return Ui.firstColumn(Ui.named(shell, Table.class, "strategies"));
    }

    /** The Bundles table row of a bundle: {id, name, version, state, provides}. */
    private String[] bundleRow(String symbolicName) {
        for (TableItem item : Ui.named(shell, Table.class, "bundles").getItems()) {
            if (item.getText(1).equals(symbolicName)) {
                return new String[] {item.getText(0), item.getText(1), item.getText(2), item.getText(3),
                    item.getText(4)};
            }
        }
        return null;
    }

    private String bundleState(String symbolicName) {
        String[] row = bundleRow(symbolicName);
        return row == null ? "(no row)" : row[3];
    }

    @Test
    void listsFedfmsBundlesWithStateAndServices() throws Exception {
        String[] fedavg = bundleRow(FEDAVG_BUNDLE);
        assertEquals("active", fedavg[3]);
        assertEquals("strategy fedavg, strategy fednova, strategy qfedavg", fedavg[4]);
        assertEquals(Long.toString(Ui.bundle(FEDAVG_BUNDLE).getBundleId()), fedavg[0]);
        assertEquals("active", bundleState("org.fedfms.api"));
        assertNull(bundleRow("org.eclipse.osgi"), "only org.fedfms bundles unless 'Show all bundles' is on");

        Ui.bundle(FEDAVG_BUNDLE).stop();
        Ui.waitUntil("fedavg shows as resolved", () -> "resolved".equals(bundleState(FEDAVG_BUNDLE)),
                () -> bundleState(FEDAVG_BUNDLE));
        assertEquals("", bundleRow(FEDAVG_BUNDLE)[4]);
        Ui.waitUntil("the strategy left too", () -> !strategyIds().contains("fedavg"), this::strategyIds);
    }

    @Test
    void aStrategyBundleInstalledFromTheUpdateSiteAppearsAsAStrategy() throws Exception {
        Bundle original = Ui.bundle(FEDAVG_BUNDLE);
        Path site = temp.resolve("site");
        Files.createDirectories(site.resolve("plugins"));
        Path jar = jarOf(original, site.resolve("plugins").resolve(FEDAVG_BUNDLE + "_" + original.getVersion() + ".jar"));
        jarOf(Ui.bundle("org.fedfms.api"), site.resolve("plugins").resolve("org.fedfms.api.jar"));

        List<UpdateSiteBundles.Offered> offered = UpdateSiteBundles.read(site);
        assertEquals(List.of("org.fedfms.api", FEDAVG_BUNDLE),
                offered.stream().map(UpdateSiteBundles.Offered::symbolicName).toList());
        UpdateSiteBundles.Offered fedavg = offered.get(1);
        assertEquals(List.of(UpdateSiteBundles.Provides.STRATEGY), fedavg.provides());
        assertEquals(original.getVersion().toString(), fedavg.version());
        assertEquals(List.of(), offered.get(0).provides());

        BundleException duplicate = assertThrows(BundleException.class,
                () -> BundlesPart.installAndStart(Ui.context(), List.of(jar), monitor()));
        assertTrue(duplicate.getMessage().contains("is already installed"), duplicate.getMessage());

        original.uninstall();
        Ui.waitUntil("fedavg is gone from both parts",
                () -> !strategyIds().contains("fedavg") && bundleRow(FEDAVG_BUNDLE) == null, this::strategyIds);

        List<Bundle> installed = BundlesPart.installAndStart(Ui.context(), List.of(fedavg.jar()), monitor());
        assertEquals(1, installed.size());
        assertEquals(Bundle.ACTIVE, installed.get(0).getState());
        Ui.waitUntil("the reinstalled fedavg is a strategy again", () -> strategyIds().contains("fedavg"),
                this::strategyIds);
        Ui.waitUntil("the Bundles part shows it active", () -> "active".equals(bundleState(FEDAVG_BUNDLE)),
                () -> bundleState(FEDAVG_BUNDLE));
        assertEquals(Long.toString(installed.get(0).getBundleId()), bundleRow(FEDAVG_BUNDLE)[0]);
    }

    @Test
    void installingSomethingThatIsNotABundleSaysWhy() throws Exception {
        Path notABundle = temp.resolve("plain.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(notABundle))) {
            out.putNextEntry(new JarEntry("readme.txt"));
            out.write("not a bundle".getBytes());
        }
        BundleException e = assertThrows(BundleException.class,
                () -> BundlesPart.installAndStart(Ui.context(), List.of(notABundle), monitor()));
        assertEquals(notABundle + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName", e.getMessage());

        IOException noSite = assertThrows(IOException.class, () -> UpdateSiteBundles.read(temp));
        assertTrue(noSite.getMessage().startsWith(temp + " is not a p2 repository folder"), noSite.getMessage());
    }

    private static SubMonitor monitor() {
        return SubMonitor.convert(new NullProgressMonitor());
    }

    /** The bundle's jar, copied to {@code target} (a bundle from a folder is packed into one). */
    private static Path jarOf(Bundle bundle, Path target) throws IOException {
        Path source = FileLocator.getBundleFile(bundle).toPath();
        if (Files.isRegularFile(source)) {
            return Files.copy(source, target);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(target));
                Stream<Path> files = Files.walk(source)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(source.relativize(p).toString().replace('\\', '/')));
                Files.copy(p, (OutputStream) out);
                out.closeEntry();
            }
        }
        return target;
    }
}
