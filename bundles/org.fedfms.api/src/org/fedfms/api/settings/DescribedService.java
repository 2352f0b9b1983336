package org.fedfms.api.settings;

import java.util.Objects;

/**
 * What every pluggable service with a settings record (a strategy, a dataset loader) states the same way:
 * its id, its one-sentence description and its settings schema. A service extends this and implements its
 * own interface, whose {@code id()}, {@code description()} and {@code settings()} these methods fulfil.
 *
 * @param <S> the service's settings record
 */
public abstract class DescribedService<S extends Record> {

    private final String id;
    private final String description;
    private final SettingsSchema<S> schema;

    protected DescribedService(String id, String description, SettingsSchema<S> schema) {
        this.id = Objects.requireNonNull(id, "id");
        this.description = Objects.requireNonNull(description, "description");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** The service's id, as its {@code id} service property says too. */
    public final String id() {
        return id;
    }

    /** One sentence on what the service does. */
    public final String description() {
        return description;
    }

    /** The service's settings with their defaults, ranges and descriptions. */
    public final SettingsSchema<S> settings() {
        return schema;
    }
}
