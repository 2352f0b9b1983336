package org.fedfms.data;

import org.fedfms.api.settings.Setting;

/**
 * What a loader of files does with the cases it finds, declared once: whether bad cases are left out (and
 * listed) or fail the load, and how the sites are partitioned and split. Flattened into settings of their own.
 *
 * @param skipBad leave out bad cases and list them, instead of failing
 * @param split how sites are partitioned and split
 */
public record CaseHandling(
        @Setting(description = "leave out bad cases (every sample is decoded at load to find them) and list "
                + "them, instead of failing")
        boolean skipBad,
        SplitSettings split) {

    /** Bad cases fail the load; the split defaults. */
    public static final CaseHandling DEFAULTS = new CaseHandling(false, SplitSettings.DEFAULTS);
}
