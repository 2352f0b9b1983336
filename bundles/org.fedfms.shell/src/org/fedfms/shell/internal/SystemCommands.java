package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.fedfms.shell.Table;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** Gogo commands about the running product itself. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=version"})
@Descriptor("the FedFMS product")
public class SystemCommands implements CommandSet {

    private final BundleContext context;

    @Activate
    public SystemCommands(BundleContext context) {
        this.context = context;
    }

    @Descriptor("show the FedFMS version, the Java runtime, the OSGi framework and the FedFMS bundles")
    public Table version() {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("fedfms", context.getBundle().getVersion().toString()));
        rows.add(List.of("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version")));
        Bundle fw = context.getBundle(0);
        rows.add(List.of("framework", fw.getSymbolicName() + " " + fw.getVersion()));
        rows.add(List.of("os", System.getProperty("os.name") + " " + System.getProperty("os.arch")));
        long ours = 0;
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.fedfms.")) {
                ours++;
            }
        }
        rows.add(List.of("bundles", ours + " org.fedfms bundles installed"));
        return new Table("FedFMS Workbench", List.of("component", "version"), rows);
    }
}
