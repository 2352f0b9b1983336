package org.fedfms.model;

/** How strictly loaded tensors must cover a model. */
public enum LoadMode {
    /** Every parameter and buffer of the model, nothing else. */
    EXACT,
    /** Every tensor of the base model (pretrained weights); tensors added by adapters may be absent. */
    BASE,
    /** Any subset of the model's tensors (e.g. the trainable parameters of a round). */
    SUBSET
}
