package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.felix.service.command.Descriptor;
import org.fedfms.api.ServicesById;
import org.fedfms.api.settings.SettingDescriptor;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FlowerCounterpart;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands over the aggregation strategies present now. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=strategies",
    "osgi.command.function=strategyinfo",
    HyphenatedCommands.PROPERTY + "=strategy-info"})
@Descriptor("aggregation strategies")
public class StrategyCommands implements CommandSet {

    private final ServicesById<AggregationStrategy> strategies = new ServicesById<>(AggregationStrategy::id);

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addStrategy(AggregationStrategy strategy, Map<String, Object> properties) {
        strategies.add(strategy, properties);
    }

    void removeStrategy(AggregationStrategy strategy) {
        strategies.remove(strategy);
    }

    @Descriptor("list the aggregation strategies present now, with their settings and defaults")
    public Table strategies() {
        return ServiceListing.table("no aggregation strategy is present", sorted(), AggregationStrategy::id,
                AggregationStrategy::description, AggregationStrategy::settings);
    }

    @Descriptor("show one aggregation strategy and every setting it takes, with Flower's name for it where Flower "
            + "has the strategy")
    public Table strategyInfo(@Descriptor("strategy id, as listed by fedfms:strategies") String id) {
        AggregationStrategy s = strategies.get(id);
        if (s == null) {
            throw new IllegalArgumentException("no strategy '" + id + "'" + Usage.didYouMean(id, strategies.ids())
                    + "; present: " + strategies.ids());
        }
        Optional<FlowerCounterpart> flower = s.flower();
        List<List<String>> rows = new ArrayList<>();
        for (SettingDescriptor d : s.settings().descriptors()) {
            rows.add(List.of(d.key(), d.typeName(), String.valueOf(d.defaultValue()), d.constraintText(),
                    flower.flatMap(f -> f.parameter(d.key())).orElse("-"), d.description()));
        }
        return new Table(s.id() + ": " + s.description() + "\nFlower: "
                + flower.map(f -> "flwr.server.strategy." + f.strategy()).orElse("no such strategy"),
                List.of("setting", "type", "default", "range", "flower", "description"), rows);
    }

    private List<AggregationStrategy> sorted() {
        return strategies.services();
    }
}
