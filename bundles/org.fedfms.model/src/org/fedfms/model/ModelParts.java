package org.fedfms.model;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import org.fedfms.api.ServicesById;

/**
 * What a component that builds models finds them made of: the {@link ModelVariant} and {@link AdapterType}
 * services present now, tracked by id as they come and go (its dynamic bind and unbind methods call the
 * {@code add}/{@code remove} methods here). When a variant or adapter type goes, the models of its
 * {@link WarmModels} pool made of it are closed and dropped, as their classes go with it.
 *
 * @param <K> the pool's key, which names the variant and the adapter type (blank: none) a model is made of
 */
public final class ModelParts<K> {

    private final ServicesById<ModelVariant> variants = new ServicesById<>(ModelVariant::id);
    private final ServicesById<AdapterType> adapters = new ServicesById<>(AdapterType::id);
    private final WarmModels<K, ?> warm;
    private final Function<K, String> variantOf;
    private final Function<K, String> adapterOf;

    /**
     * @param warm the models kept warm
     * @param variantOf the variant id a key names
     * @param adapterOf the adapter type id a key names, blank for none
     */
    public ModelParts(WarmModels<K, ?> warm, Function<K, String> variantOf, Function<K, String> adapterOf) {
        this.warm = Objects.requireNonNull(warm, "warm");
        this.variantOf = Objects.requireNonNull(variantOf, "variantOf");
        this.adapterOf = Objects.requireNonNull(adapterOf, "adapterOf");
    }

    /** The model variants present now. */
    public ServicesById<ModelVariant> variants() {
        return variants;
    }

    /** The adapter types present now. */
    public ServicesById<AdapterType> adapters() {
        return adapters;
    }

    /** Records a bound variant; never throws. */
    public void addVariant(ModelVariant variant, Map<String, ?> properties) {
        variants.add(variant, properties);
    }

    /** Forgets an unbound variant and drops the warm models made of it; never throws. */
    public void removeVariant(ModelVariant variant) {
        variants.remove(variant);
        dropWarmModelsOfAbsentParts();
    }

    /** Records a bound adapter type; never throws. */
    public void addAdapter(AdapterType adapter, Map<String, ?> properties) {
        adapters.add(adapter, properties);
    }

    /** Forgets an unbound adapter type and drops the warm models made of it; never throws. */
    public void removeAdapter(AdapterType adapter) {
        adapters.remove(adapter);
        dropWarmModelsOfAbsentParts();
    }

    private void dropWarmModelsOfAbsentParts() {
        try {
            warm.dropIf(k -> !variants.contains(variantOf.apply(k))
                    || !adapterOf.apply(k).isBlank() && !adapters.contains(adapterOf.apply(k)));
        } catch (RuntimeException e) {
            // a model that fails to close is gone from the pool all the same; nothing to do in an unbind method
        }
    }
}
