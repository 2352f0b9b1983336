package org.fedfms.api.data;

import java.util.List;
import java.util.Optional;

/**
 * A dataset spread over sites.
 *
 * @param name what it is (loader and source)
 * @param classes number of classes including background (2 for a binary mask)
 * @param sites the sites in a stable order
 * @param skipped bad cases left out because the user asked to skip them, one line each naming the
 *        file (or case) and the problem; empty when nothing was skipped
 */
public record FederatedDataset(String name, int classes, List<SiteData> sites, List<String> skipped) {

    public FederatedDataset {
        sites = List.copyOf(sites);
        skipped = List.copyOf(skipped);
    }

    /** A dataset from which nothing was skipped. */
    public FederatedDataset(String name, int classes, List<SiteData> sites) {
        this(name, classes, sites, List.of());
    }

    public Optional<SiteData> site(String siteId) {
        return sites.stream().filter(s -> s.siteId().equals(siteId)).findFirst();
    }
}
