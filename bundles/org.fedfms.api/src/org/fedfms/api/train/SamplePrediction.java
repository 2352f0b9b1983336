package org.fedfms.api.train;

import org.fedfms.api.data.LabeledImage;

/**
 * A model's prediction for one sample at the sample's own resolution, with the decoded sample itself, for
 * viewers that draw their own overlays. Arrays are row-major H×W, as {@link LabeledImage#mask()}.
 *
 * @param metrics the sample's metrics, the same {@link PredictionExporter#evaluateSamples} reports
 *        ({@code file} is {@code null})
 * @param image the decoded sample: image pixels and ground-truth mask
 * @param predicted predicted label per pixel: 0 background, {@code k} for the k-th foreground channel
 *        (a pixel takes the channel with the largest positive logit)
 * @param probabilities per foreground channel, the predicted probability (sigmoid of the logit) per pixel
 */
public record SamplePrediction(SampleMetrics metrics, LabeledImage image, byte[] predicted, float[][] probabilities) {

    public SamplePrediction {
        int n = image.height() * image.width();
        if (predicted.length != n) {
            throw new IllegalArgumentException("prediction holds " + predicted.length + " labels, expected " + n
                    + " (" + image.height() + "x" + image.width() + ")");
        }
        if (probabilities.length == 0) {
            throw new IllegalArgumentException("no probability channel");
        }
        for (int k = 0; k < probabilities.length; k++) {
            if (probabilities[k].length != n) {
                throw new IllegalArgumentException("probability channel " + (k + 1) + " holds "
                        + probabilities[k].length + " values, expected " + n);
            }
        }
    }

    /** The site the sample belongs to. */
    public String siteId() {
        return metrics.siteId();
    }

    /** The sample's id within its site. */
    public String sampleId() {
        return metrics.sampleId();
    }

    /** Pixels predicted as foreground (any label &gt; 0). */
    public int foregroundPixels() {
        int count = 0;
        for (byte b : predicted) {
            if (b != 0) {
                count++;
            }
        }
        return count;
    }
}
