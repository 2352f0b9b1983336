package org.fedfms.federation.internal;

import java.util.List;
import java.util.concurrent.ExecutorService;

import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.FederationEvent;

/** What the round loop needs from the service around it: the services present now, threads, events. */
interface Services {

    /** The strategy with that id present now, or {@code null}. */
    AggregationStrategy strategy(String id);

    DatasetLoader loader(String id);

    SiteTrainerFactory trainerFactory(String id);

    /** The site provider with that id present now, or {@code null}. */
    default org.fedfms.federation.SiteProvider siteProvider(String id) {
        return null;
    }

    List<String> strategyIds();

    List<String> loaderIds();

    List<String> trainerFactoryIds();

    StrategyContext strategyContext();

    /** Threads that run the sites' calls. */
    ExecutorService siteExecutor();

    void publish(FederationEvent event);
}
