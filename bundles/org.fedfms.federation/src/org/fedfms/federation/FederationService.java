package org.fedfms.federation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.RoundResult;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.strategy.AggregationStrategy;
import org.fedfms.api.train.SiteTrainerFactory;

/**
 * The federation engine: experiments, their rounds, checkpoints and events. The one place the round
 * loop lives; the shell, the workbench and the REST server call these methods and show the records
 * they return.
 *
 * <p>Every experiment is checkpointed after each completed round in its own directory under
 * {@link #experimentsDirectory()} and is listed again, paused at its last completed round, after a
 * restart. A background run ({@link #start(String)}, {@link #resume(String)}) that the process or the
 * service stopping interrupted goes on by itself after the restart, once what its rounds need is present
 * (for a {@link SiteProvider}: once it is {@link SiteProvider#ready(ExperimentSpec) ready}); a pause or
 * cancel keeps it paused. Methods taking an experiment name throw {@link ExperimentNotFoundException} when
 * no experiment has that name.
 */
public interface FederationService {

    /**
     * Creates an experiment from a valid spec; its strategy, dataset loader and trainer factory must be
     * present and the strategy must accept its settings. Writes the spec to the experiment's directory.
     *
     * @throws org.fedfms.api.settings.SettingsException if the spec or the strategy settings are invalid
     * @throws FederationException if the name is taken or a service it names is not present
     */
    ExperimentStatus create(ExperimentSpec spec);

    /**
     * Creates an experiment like {@link #create}, first cancelling and removing (with its directory) an
     * experiment of the same name; that one is left as it is if the spec or a service it names is refused.
     */
    ExperimentStatus replace(ExperimentSpec spec);

    /** Every experiment, by name. */
    List<ExperimentStatus> experiments();

    /** Where one experiment stands. */
    ExperimentStatus status(String name);

    /**
     * The last batch each site training in this process reported in the experiment's latest round, by site
     * id (kept after the round until the next one starts; empty before the first, and for remote sites).
     */
    Map<String, FederationEvent.SiteProgress> progress(String name);

    /** The experiment's current spec (with the strategy its next round uses). */
    ExperimentSpec spec(String name);

    /** The completed rounds, oldest first. */
    List<RoundResult> history(String name);

    /**
     * The current global trainable parameters (the initial ones before the first round). For
     * {@link ExperimentSpec.Protocol#LOCAL_ONLY} the initial parameters; see {@link #localParameters}.
     */
    ParameterSet globalParameters(String name);

    /** The sites' own models of a {@link ExperimentSpec.Protocol#LOCAL_ONLY} experiment, by site id. */
    Map<String, ParameterSet> localParameters(String name);

    /**
     * The experiment's current models, looked at sample by sample on the data this JVM holds (what the
     * workbench's viewer and the shell's export show); builds the initial models if no round has run.
     *
     * @throws FederationException if the models cannot be read or built
     */
    ExperimentInspector inspect(String name);

    /**
     * Removes an experiment that is not running.
     *
     * @param deleteFiles also delete its directory (spec, checkpoints, history)
     * @return whether an experiment of that name existed
     */
    boolean remove(String name, boolean deleteFiles);

    /**
     * Runs one round now, in the calling thread.
     *
     * @throws FederationException if the round could not complete; the experiment is then paused (or
     *     failed) with the same message and its global model is unchanged
     */
    RoundResult runRound(String name);

    /** Runs {@code rounds} rounds now, in the calling thread; stops at the first round that fails. */
    List<RoundResult> runRounds(String name, int rounds);

    /**
     * Runs in the background until the planned rounds are done, the experiment is paused or cancelled, or
     * a round fails; the future completes with the final status (it never completes exceptionally for a
     * failed round: the status says why).
     */
    CompletableFuture<ExperimentStatus> start(String name);

    /** Runs {@code rounds} more rounds in the background (past the planned rounds if need be). */
    CompletableFuture<ExperimentStatus> start(String name, int rounds);

    /** Clears a pause or failure and runs in the background until the planned rounds are done. */
    CompletableFuture<ExperimentStatus> resume(String name);

    /**
     * Asks a running experiment to stop after the current round; marks an idle one paused (one waiting to
     * go on by itself after a restart then no longer does).
     */
    ExperimentStatus pause(String name);

    /**
     * Stops a running experiment now: the current round is abandoned, the global model is unchanged. One
     * waiting to go on by itself after a restart stays paused.
     */
    ExperimentStatus cancel(String name);

    /**
     * Swaps the experiment's strategy and its settings; the swap takes effect at the next round that
     * starts and is recorded in that round's {@link RoundResult#note()}. Also the way out of a pause
     * caused by a strategy whose bundle stopped.
     *
     * @throws FederationException if the strategy is not present
     * @throws org.fedfms.api.settings.SettingsException if it rejects the settings
     */
    ExperimentStatus swapStrategy(String name, String strategyId, Map<String, ?> settings);

    /** The aggregation strategies present now, by id. */
    List<AggregationStrategy> strategies();

    /** The dataset loaders present now, by id. */
    List<DatasetLoader> loaders();

    /** The site trainer factories present now, by id. */
    List<SiteTrainerFactory> trainerFactories();

    /** Directory holding one sub-directory per experiment. */
    Path experimentsDirectory();

    /** Adds a listener besides the {@link FederationListener} services. */
    void addListener(FederationListener listener);

    void removeListener(FederationListener listener);
}
