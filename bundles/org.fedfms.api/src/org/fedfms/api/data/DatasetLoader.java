package org.fedfms.api.data;

import java.util.Map;

import org.fedfms.api.settings.SettingsSchema;

/**
 * Loads a federated dataset; an OSGi service with an {@code id} property equal to {@link #id()}.
 */
public interface DatasetLoader {

    /** Service property that carries the id. */
    String ID_PROPERTY = "id";

    /** Short unique id, e.g. {@code synthetic}. */
    String id();

    /** One sentence on what the loader reads. */
    String description();

    /** Settings with defaults, ranges and descriptions. */
    SettingsSchema<?> settings();

    /**
     * Lists the dataset's sites and samples (samples load lazily).
     *
     * @throws DatasetException listing every problem found
     */
    FederatedDataset load(Map<String, ?> settings) throws DatasetException;
}
