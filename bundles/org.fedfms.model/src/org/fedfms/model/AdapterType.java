package org.fedfms.model;

import java.util.Map;

import org.fedfms.api.model.AdapterTypeInfo;
import org.fedfms.api.settings.SettingsSchema;

/**
 * An adapter type (e.g. {@code msa}): changes a model by inserting modules at its hook points
 * ({@link SegmentationModel#adaptableBlocks()}) and choosing which parameters train. An OSGi service
 * with an {@code id} property equal to {@link #id()}.
 */
public interface AdapterType {

    /** Service property that carries the id. */
    String ID_PROPERTY = "id";

    /** Short unique id, e.g. {@code msa}. */
    String id();

    /** What it inserts and what trains, in one sentence. */
    String description();

    /** The settings {@link #apply} takes (rank of a low-rank adapter, ...). */
    default SettingsSchema<?> settings() {
        return SettingsSchema.none("adapter " + id());
    }

    /**
     * Inserts this type's modules into {@code model} and sets which parameters train. Works before
     * and after the model is initialised (new parameters are initialised with the model's seed).
     *
     * @param settings values for {@link #settings()}, by name (text or typed)
     * @throws IllegalArgumentException when the settings are invalid or the model has no place for
     *     this adapter
     */
    void apply(SegmentationModel model, Map<String, ?> settings);

    /** The adapter type as faces list it. */
    default AdapterTypeInfo info() {
        return new AdapterTypeInfo(id(), description());
    }
}
