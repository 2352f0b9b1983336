/**
 * Files of tensors and images, without an engine: {@code .safetensors} and {@code .npz} weight
 * files, {@code .npy} arrays, and PNG/JPEG images resized the way SAM's reference pipeline does it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.model.io;
