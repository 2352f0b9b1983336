/**
 * Local training and evaluation of segmentation models on DJL: the {@code djl} site trainer, its
 * options, and the segmentation metrics (Dice, IoU, HD95) it reports.
 */
package org.fedfms.train;
