package org.fedfms.api.data;

/**
 * A sample that is one slice of a volume: its metrics are per case, over the whole volume
 * ({@link CaseVolume}), not per slice.
 */
public interface CaseSlice extends Sample {

    /** The slice's index along the volume's slicing axis. */
    int slice();

    /** The case the slice belongs to; slices of one case give equal case volumes. */
    CaseVolume caseVolume();
}
