package org.fedfms.api.strategy;

import java.util.Objects;

import org.fedfms.api.settings.SettingsSchema;

/**
 * What every strategy with a settings record states the same way: its id, its one-sentence description and
 * its settings schema. A strategy extends this and only opens its sessions; its {@code @Component} names
 * {@code service = AggregationStrategy.class} (DS registers only the interfaces a class implements itself).
 *
 * @param <S> the strategy's settings record
 */
public abstract class SchemaStrategy<S extends Record> implements AggregationStrategy {

    private final String id;
    private final String description;
    private final SettingsSchema<S> schema;

    protected SchemaStrategy(String id, String description, SettingsSchema<S> schema) {
        this.id = Objects.requireNonNull(id, "id");
        this.description = Objects.requireNonNull(description, "description");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final SettingsSchema<S> settings() {
        return schema;
    }
}
