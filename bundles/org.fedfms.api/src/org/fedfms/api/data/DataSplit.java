package org.fedfms.api.data;

/** The split a sample belongs to at its site. */
public enum DataSplit {
    TRAIN, VALIDATION, TEST
}
