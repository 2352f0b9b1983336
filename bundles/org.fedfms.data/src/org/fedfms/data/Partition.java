package org.fedfms.data;

/** How samples are distributed over sites. */
public enum Partition {
    /** The sites as the data come (one folder per site). */
    NATURAL,
    /** All samples pooled, then dealt to sites uniformly at random. */
    IID,
    /** All samples pooled, then dealt to sites with class proportions drawn from a Dirichlet(alpha). */
    DIRICHLET
}
