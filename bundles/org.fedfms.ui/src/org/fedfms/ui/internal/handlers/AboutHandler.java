package org.fedfms.ui.internal.handlers;

import org.eclipse.e4.core.di.annotations.Execute;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Shell;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

import jakarta.inject.Named;

/** Help > About: what the workbench is and which version runs. */
public class AboutHandler {

    @Execute
    public void execute(@Named("activeShell") Shell shell) {
        Bundle ui = FrameworkUtil.getBundle(AboutHandler.class);
        MessageDialog.openInformation(shell, "About FedFMS Workbench", "FedFMS Workbench " + ui.getVersion()
                + "\n\nFederated fine-tuning of the Segment Anything Model on medical images."
                + "\nStrategies, loaders and models are OSGi services: install, start and stop their bundles"
                + " in the Bundles part while the workbench runs.\n\nJava " + System.getProperty("java.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    }
}
