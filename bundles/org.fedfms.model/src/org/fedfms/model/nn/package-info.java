/**
 * A small module library on DJL's NDArray operations: modules own named parameters and buffers, are
 * composed into trees whose dotted names follow PyTorch's {@code state_dict} conventions, and compute
 * their forward passes with plain operations so that autograd and PyTorch's kernels do the work.
 */
package org.fedfms.model.nn;
