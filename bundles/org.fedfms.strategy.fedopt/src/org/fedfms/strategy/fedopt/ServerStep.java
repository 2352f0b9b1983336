package org.fedfms.strategy.fedopt;

import org.fedfms.api.settings.Setting;

/**
 * What every server optimizer here takes the same way (FedAvgM and those of Reddi et al.): the learning rate of
 * its step over the pseudo-gradient, and whether the sites' mean behind that pseudo-gradient is weighted by their
 * sample counts. A group: its keys stand flat among the strategy's settings.
 *
 * @param serverLearningRate eta
 * @param weighted weight the sites by their sample counts in the pseudo-gradient
 */
public record ServerStep(
        @Setting(description = "server learning rate eta (fedavgm: 1 with serverMomentum 0 is plain FedAvg)", min = 0)
        double serverLearningRate,
        @Setting(description = "weight each site by its training sample count in the pseudo-gradient "
                + "(false: plain mean)")
        boolean weighted) {
}
