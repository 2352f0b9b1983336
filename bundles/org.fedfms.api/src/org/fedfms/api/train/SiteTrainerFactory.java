package org.fedfms.api.train;

import org.fedfms.api.data.SiteData;

/**
 * Creates site trainers; an OSGi service with an {@code id} property equal to {@link #id()}.
 */
public interface SiteTrainerFactory {

    /** Service property that carries the id. */
    String ID_PROPERTY = "id";

    /** Short unique id, e.g. {@code djl}. */
    String id();

    /** One sentence on what the trainer does. */
    String description();

    /** A trainer for one site's data; the error says which model, adapter or device failed. */
    SiteTrainer create(TrainerSpec spec, SiteData site) throws Exception;
}
