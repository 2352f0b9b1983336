/**
 * Files of tensors and images, without an engine: {@code .safetensors} and {@code .npz} weight
 * files, {@code .npy} arrays, and PNG/JPEG images resized the way SAM's reference pipeline does it.
 */
package org.fedfms.model.io;
