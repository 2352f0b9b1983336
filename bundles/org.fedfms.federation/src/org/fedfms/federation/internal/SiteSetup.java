package org.fedfms.federation.internal;

import java.util.ArrayList;
import java.util.List;

import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.train.SiteTrainerFactory;

/**
 * The sites an experiment runs on, built from its dataset by one trainer factory; rebuilt when that
 * factory's service is replaced.
 *
 * @param factory the factory whose trainers the sites hold
 * @param dataset the loaded dataset
 * @param training sites that train (one pooled site for the centralized protocol)
 * @param unseen the held-out site of leave-one-site-out, else {@code null}
 */
record SiteSetup(SiteTrainerFactory factory, FederatedDataset dataset, List<SiteSlot> training, SiteSlot unseen,
        Object provider, List<org.fedfms.federation.FederatedSite> provided) implements AutoCloseable {

    SiteSetup {
        training = List.copyOf(training);
        provided = provided == null ? List.of() : List.copyOf(provided);
    }

    SiteSetup(SiteTrainerFactory factory, FederatedDataset dataset, List<SiteSlot> training, SiteSlot unseen) {
        this(factory, dataset, training, unseen, null, null);
    }

    /** Training sites, then the unseen site. */
    List<SiteSlot> all() {
        List<SiteSlot> all = new ArrayList<>(training);
        if (unseen != null) {
            all.add(unseen);
        }
        return all;
    }

    @Override
    public void close() {
        if (provider != null) {
            return;
        }
        all().forEach(SiteSlot::close);
    }
}
