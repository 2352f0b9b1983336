package org.fedfms.api.train;

import org.fedfms.api.data.SiteData;
import org.fedfms.api.settings.SettingsSchema;

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

    /**
     * The trainer options ({@link TrainerSpec#options()}) this factory understands, with descriptions,
     * defaults and ranges, for help texts and forms.
     */
    default SettingsSchema<?> options() {
        return SettingsSchema.none("trainer " + id());
    }

    /**
     * The learning rate this trainer recommends for {@code model} (a model variant id), for experiments that
     * give none; empty when it has none to offer.
     */
    default java.util.OptionalDouble learningRate(String model) {
        return java.util.OptionalDouble.empty();
    }

    /** A trainer for one site's data; the error says which model, adapter or device failed. */
    SiteTrainer create(TrainerSpec spec, SiteData site) throws Exception;
}
