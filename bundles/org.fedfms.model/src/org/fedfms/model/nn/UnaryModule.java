package org.fedfms.model.nn;

import ai.djl.ndarray.NDArray;

/** A module that maps one array to one array; adapter slots take these. */
public abstract class UnaryModule extends Module {

    /** Computes the output; results go to the manager of {@code x}. */
    public abstract NDArray forward(NDArray x);
}
