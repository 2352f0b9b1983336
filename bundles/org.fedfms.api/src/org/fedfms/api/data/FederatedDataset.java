package org.fedfms.api.data;

import java.util.List;
import java.util.Optional;

/**
 * A dataset spread over sites.
 *
 * @param name what it is (loader and source)
 * @param classes number of classes including background (2 for a binary mask)
 * @param sites the sites in a stable order
 */
public record FederatedDataset(String name, int classes, List<SiteData> sites) {

    public FederatedDataset {
        sites = List.copyOf(sites);
    }

    public Optional<SiteData> site(String siteId) {
        return sites.stream().filter(s -> s.siteId().equals(siteId)).findFirst();
    }
}
