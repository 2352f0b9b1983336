/**
 * Local training and evaluation of segmentation models on DJL: the {@code djl} site trainer, its
 * options, and the segmentation metrics (Dice, IoU, HD95) it reports.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.fedfms.train;
