package org.fedfms.api;

import java.util.Map;

/**
 * A site (hospital) as the federation sees it: its id and how many samples it holds per split.
 *
 * @param siteId unique id of the site within an experiment
 * @param trainSamples samples used for local training
 * @param validationSamples samples held out for validation
 * @param testSamples samples held out for testing
 * @param properties free-form facts (address, hardware, data source)
 */
public record SiteInfo(String siteId, long trainSamples, long validationSamples, long testSamples,
        Map<String, String> properties) {

    public SiteInfo {
        if (siteId == null || siteId.isBlank()) {
            throw new IllegalArgumentException("site id must not be blank");
        }
        properties = Map.copyOf(properties);
    }

    public SiteInfo(String siteId, long trainSamples) {
        this(siteId, trainSamples, 0, 0, Map.of());
    }
}
