package org.fedfms.federation.internal;

import java.util.concurrent.ExecutorService;

import org.fedfms.api.ServicesById;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.strategy.StrategyContext;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.SiteProvider;

/** What the round loop needs from the service around it: the services present now by id, threads, events. */
interface Services {

    ServicesById<AggregationStrategy> strategies();

    ServicesById<DatasetLoader> loaders();

    ServicesById<SiteTrainerFactory> trainerFactories();

    ServicesById<SiteProvider> siteProviders();

    /** The strategies present now, for strategies that wrap others. */
    StrategyContext strategyContext();

    /** Threads that run the sites' calls. */
    ExecutorService siteExecutor();

    void publish(FederationEvent event);
}
