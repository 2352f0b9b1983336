/**
 * The Segment Anything Model (SAM) on DJL, faithful to the official implementation: configurations,
 * the model with official parameter names, and the mapping of Hugging Face checkpoint names.
 */
package org.fedfms.model.sam;
