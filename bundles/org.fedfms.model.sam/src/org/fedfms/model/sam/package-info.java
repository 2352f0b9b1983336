/**
 * The Segment Anything Model (SAM) on DJL, faithful to the official implementation: configurations,
 * the model with official parameter names, and the mapping of Hugging Face checkpoint names.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.model.sam;
