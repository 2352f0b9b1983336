package org.fedfms.data;

/** What validation/test splits (and pooled partitions) move as a whole. */
public enum SplitUnit {
    /** Each image on its own. */
    IMAGE,
    /** Every image of a case (patient, volume) together: no case is in two splits. */
    CASE
}
