package org.fedfms.federation;

import java.util.Map;

/**
 * Builds specs setting by setting, the settings of its groups too; settings not set keep the values it started
 * from.
 */
public final class ExperimentSpecBuilder {
    private String name;
    private String model;
    private String adapter;
    private String trainer;
    private String dataset;
    private Map<String, Object> datasetSettings;
    private String strategy;
    private Map<String, Object> strategySettings;
    private int rounds;
    private int localEpochs;
    private int batchSize;
    private double learningRate;
    private ExperimentSpec.Protocol protocol;
    private String unseenSite;
    private long seed;
    private int minSites;
    private double fractionPerRound;
    private double roundDeadlineSeconds;
    private String device;
    private int patience;
    private String weights;
    private Map<String, Object> trainerOptions;
    private String encoding;
    private String secureAggregation;
    private String clientDp;
    private String localParameters;

    ExperimentSpecBuilder(ExperimentSpec s) {
        name = s.name();
        model = s.model();
        adapter = s.adapter();
        trainer = s.trainer();
        dataset = s.dataset();
        datasetSettings = s.datasetSettings();
        strategy = s.strategy();
        strategySettings = s.strategySettings();
        rounds = s.schedule().rounds();
        localEpochs = s.schedule().localEpochs();
        batchSize = s.schedule().batchSize();
        learningRate = s.schedule().learningRate();
        protocol = s.protocol();
        unseenSite = s.unseenSite();
        seed = s.seed();
        minSites = s.participation().minSites();
        fractionPerRound = s.participation().fractionPerRound();
        roundDeadlineSeconds = s.participation().roundDeadlineSeconds();
        device = s.device();
        patience = s.schedule().patience();
        weights = s.weights();
        trainerOptions = s.trainerOptions();
        encoding = s.sharing().encoding();
        secureAggregation = s.sharing().secureAggregation();
        clientDp = s.sharing().clientDp();
        localParameters = s.sharing().localParameters();
    }

    public ExperimentSpecBuilder name(String v) {
        name = v;
        return this;
    }

    public ExperimentSpecBuilder model(String v) {
        model = v;
        return this;
    }

    public ExperimentSpecBuilder adapter(String v) {
        adapter = v;
        return this;
    }

    public ExperimentSpecBuilder trainer(String v) {
        trainer = v;
        return this;
    }

    public ExperimentSpecBuilder dataset(String v) {
        dataset = v;
        return this;
    }

    public ExperimentSpecBuilder datasetSettings(Map<String, ?> v) {
        datasetSettings = ExperimentSpec.frozen(v);
        return this;
    }

    public ExperimentSpecBuilder strategy(String v) {
        strategy = v;
        return this;
    }

    public ExperimentSpecBuilder strategySettings(Map<String, ?> v) {
        strategySettings = ExperimentSpec.frozen(v);
        return this;
    }

    public ExperimentSpecBuilder rounds(int v) {
        rounds = v;
        return this;
    }

    public ExperimentSpecBuilder localEpochs(int v) {
        localEpochs = v;
        return this;
    }

    public ExperimentSpecBuilder batchSize(int v) {
        batchSize = v;
        return this;
    }

    public ExperimentSpecBuilder learningRate(double v) {
        learningRate = v;
        return this;
    }

    public ExperimentSpecBuilder protocol(ExperimentSpec.Protocol v) {
        protocol = v;
        return this;
    }

    public ExperimentSpecBuilder unseenSite(String v) {
        unseenSite = v;
        return this;
    }

    public ExperimentSpecBuilder seed(long v) {
        seed = v;
        return this;
    }

    public ExperimentSpecBuilder minSites(int v) {
        minSites = v;
        return this;
    }

    public ExperimentSpecBuilder fractionPerRound(double v) {
        fractionPerRound = v;
        return this;
    }

    public ExperimentSpecBuilder roundDeadlineSeconds(double v) {
        roundDeadlineSeconds = v;
        return this;
    }

    public ExperimentSpecBuilder device(String v) {
        device = v;
        return this;
    }

    public ExperimentSpecBuilder patience(int v) {
        patience = v;
        return this;
    }

    public ExperimentSpecBuilder weights(String v) {
        weights = v;
        return this;
    }

    public ExperimentSpecBuilder trainerOptions(Map<String, ?> v) {
        trainerOptions = ExperimentSpec.frozen(v);
        return this;
    }

    public ExperimentSpecBuilder encoding(String v) {
        encoding = v;
        return this;
    }

    public ExperimentSpecBuilder secureAggregation(String v) {
        secureAggregation = v;
        return this;
    }

    public ExperimentSpecBuilder clientDp(String v) {
        clientDp = v;
        return this;
    }

    public ExperimentSpecBuilder localParameters(String v) {
        localParameters = v;
        return this;
    }

    /** The spec; not validated (see {@link ExperimentSpec#requireValid()}). */
    public ExperimentSpec build() {
        return new ExperimentSpec(name, model, adapter, trainer, dataset, datasetSettings, strategy,
                strategySettings, new TrainingSchedule(rounds, localEpochs, batchSize, learningRate, patience),
                protocol, unseenSite, seed, new RoundParticipation(minSites, fractionPerRound, roundDeadlineSeconds),
                device, weights, trainerOptions, new UpdateSharing(encoding, secureAggregation, clientDp,
                        localParameters));
    }
}
