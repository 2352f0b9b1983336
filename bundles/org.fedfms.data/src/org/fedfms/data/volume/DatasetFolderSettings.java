package org.fedfms.data.volume;

import org.fedfms.api.settings.Setting;
import org.fedfms.data.CaseHandling;

/**
 * The settings of a loader that reads self-describing dataset folders (a {@code dataset.json} each: nnU-Net,
 * Decathlon), one folder per site or one folder dealt to sites by a CSV.
 */
public record DatasetFolderSettings(
        @Setting(description = "folder holding one dataset folder (nnU-Net DatasetXXX_Name, Decathlon TaskXX_Name) "
                + "per site, or one dataset folder together with sites=FILE.csv")
        String root,
        @Setting(description = "CSV of case,site lines that deals the cases of one dataset to sites; empty: one "
                + "site per dataset folder")
        String sites,
        @Setting(description = "labels to segment by their dataset.json names, comma-separated, e.g. PZ,TZ (class "
                + "1, 2, ...; other labels become background); empty: every foreground label")
        String labels,
        VolumeSettings volumes,
        CaseHandling cases) {

    /** The defaults: every label, one site per folder, the volume and split defaults. */
    public static final DatasetFolderSettings DEFAULTS =
            new DatasetFolderSettings("", "", "", VolumeSettings.DEFAULTS, CaseHandling.DEFAULTS);
}
