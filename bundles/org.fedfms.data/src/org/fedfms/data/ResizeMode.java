package org.fedfms.data;

/** How an image is brought to a square model input. */
public enum ResizeMode {
    /** Scaled to size × size, aspect ratio not kept. */
    STRETCH,
    /** Longest side scaled to the size, aspect kept, then zero-padded at the bottom and right (SAM). */
    LONGEST_SIDE_PAD
}
