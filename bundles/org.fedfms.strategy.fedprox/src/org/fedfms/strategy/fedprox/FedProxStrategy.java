package org.fedfms.strategy.fedprox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.SiteInfo;
import org.fedfms.api.settings.Setting;
import org.fedfms.api.settings.SettingsSchema;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.RoundAggregator;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.strategy.StrategySession;
import org.fedfms.api.strategy.WeightedMeanAggregator;
import org.osgi.service.component.annotations.Component;

/**
 * FedProx (Li et al., 2020): the server aggregates like FedAvg, and every site is told the proximal
 * coefficient {@code mu}, with which its trainer adds {@code mu/2 · ||w − w_global||²} to the local loss.
 */
@Component(property = AggregationStrategy.ID_PROPERTY + "=" + FedProxStrategy.ID)
public class FedProxStrategy implements AggregationStrategy {

    static final String ID = "fedprox";

    /** FedProx's settings. */
    public record Settings(
            @Setting(description = "proximal term coefficient mu sent to the sites (0: plain FedAvg training)",
                    min = 0)
            double mu,
            @Setting(description = "weight each site by its training sample count (false: plain mean)")
            boolean weighted,
            @Setting(description = "aggregate the sites that delivered even if others failed (false: keep the "
                    + "global model when any site fails)")
            boolean acceptFailures) {
    }

    private static final SettingsSchema<Settings> SCHEMA =
            SettingsSchema.of("strategy " + ID, Settings.class, new Settings(0.01, true, true));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "FedProx: FedAvg on the server, proximal term mu sent to the sites' local training";
    }

    @Override
    public SettingsSchema<Settings> settings() {
        return SCHEMA;
    }

    @Override
    public StrategySession open(Map<String, ?> settings, StrategyContext context) {
        return new Session(SCHEMA.bind(settings));
    }

    private static final class Session implements StrategySession {
        private final Settings settings;
        private final FitInstructions instructions;

        Session(Settings settings) {
            this.settings = settings;
            this.instructions = new FitInstructions(Map.of(FitInstructions.PROXIMAL_MU, settings.mu()));
        }

        @Override
        public String strategyId() {
            return ID;
        }

        @Override
        public Map<String, Object> settings() {
            return SCHEMA.toMap(settings);
        }

        @Override
        public Map<String, FitInstructions> configureFit(int round, ParameterSet global, List<SiteInfo> sites) {
            Map<String, FitInstructions> m = new LinkedHashMap<>();
            for (SiteInfo s : sites) {
                m.put(s.siteId(), instructions);
            }
            return m;
        }

        @Override
        public RoundAggregator beginRound(int round, ParameterSet global) {
            return new WeightedMeanAggregator(round, global, settings.weighted(), settings.acceptFailures());
        }
    }
}
