package org.fedfms.model;

/** Which tensors of a model a {@link org.fedfms.api.ParameterSet} holds. */
public enum ParameterScope {
    /** Every learnable parameter, frozen or not (no buffers). */
    ALL,
    /** Only the parameters that train: what federated rounds send. */
    TRAINABLE,
    /** Every parameter and buffer: a complete checkpoint. */
    STATE
}
