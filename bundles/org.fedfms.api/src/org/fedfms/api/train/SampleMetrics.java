package org.fedfms.api.train;

import java.nio.file.Path;

import org.fedfms.api.Metrics;

/**
 * A model's metrics on one sample (dice, iou, hd95, loss, ...), for viewers and exports.
 *
 * @param siteId the site the sample belongs to
 * @param sampleId the sample's id within its site
 * @param metrics the sample's metrics
 * @param file the picture written for the sample, or {@code null} when none was written
 */
public record SampleMetrics(String siteId, String sampleId, Metrics metrics, Path file) {
}
