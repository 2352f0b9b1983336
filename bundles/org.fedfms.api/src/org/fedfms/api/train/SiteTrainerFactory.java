package org.fedfms.api.train;

import java.util.List;

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

    /**
     * What in {@code spec} this factory cannot train with (a model or adapter id it does not know, say),
     * each naming the value and what it accepts; empty if it can. Asked when an experiment is created or its
     * spec replaced; loads nothing and never calls into a site. By default empty: the factory says at
     * {@link #create} instead.
     */
    default List<String> problems(TrainerSpec spec) {
        return List.of();
    }

    /**
     * The names of the trainable parameters {@code spec} trains (what travels each round), for checks made when
     * an experiment is created; empty when this factory cannot tell without building the model.
     */
    default java.util.Optional<List<String>> trainableParameterNames(TrainerSpec spec) {
        return java.util.Optional.empty();
    }

    /** A trainer for one site's data; the error says which model, adapter or device failed. */
    SiteTrainer create(TrainerSpec spec, SiteData site) throws Exception;
}
