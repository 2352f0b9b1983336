package org.fedfms.api.data;

import java.util.List;

import org.fedfms.api.SiteInfo;

/**
 * One site's samples, split.
 *
 * @param siteId the site
 * @param train samples for local training
 * @param validation samples for validation
 * @param test samples for testing
 */
public record SiteData(String siteId, List<Sample> train, List<Sample> validation, List<Sample> test) {

    public SiteData {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    /** The samples of one split. */
    public List<Sample> split(DataSplit split) {
        return switch (split) {
            case TRAIN -> train;
            case VALIDATION -> validation;
            case TEST -> test;
        };
    }

    /** This site as the federation sees it. */
    public SiteInfo info() {
        return new SiteInfo(siteId, train.size(), validation.size(), test.size(), java.util.Map.of());
    }
}
