package org.fedfms.shell.internal;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.fedfms.api.settings.SettingsException;
import org.fedfms.federation.ExperimentNotFoundException;
import org.fedfms.api.settings.SettingsText;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;
import org.fedfms.federation.ExperimentSpecJson;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationException;
import org.fedfms.federation.FederationService;
import org.fedfms.shell.ExperimentSummary;
import org.fedfms.shell.ExperimentTables;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands that create, list, show, save, load and remove experiments, and swap their strategy. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=experiment",
    "osgi.command.function=experimentload",
    "osgi.command.function=experimentsave",
    "osgi.command.function=experiments",
    "osgi.command.function=status",
    "osgi.command.function=strategy",
    "osgi.command.function=remove",
    HyphenatedCommands.PROPERTY + "=experiment-load",
    HyphenatedCommands.PROPERTY + "=experiment-save"})
@Descriptor("federated experiments")
public class ExperimentCommands implements CommandSet {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FederationService federation;

    @Descriptor("create an experiment from options over the defaults (sam-tiny, msa, djl trainer, synthetic, fedavg, "
            + "10 rounds, federated); trailing key=value arguments are the strategy's settings. Shows its status")
    public Table experiment(
            @Descriptor("model variant id, as listed by fedfms:models (sam-tiny, sam-vit-b, ...)")
            @Parameter(names = "--model", absentValue = "") String model,
            @Descriptor("adapter type id, as listed by fedfms:adapters: msa (FedMSA), full (FedSAM), ...")
            @Parameter(names = "--adapter", absentValue = "") String adapter,
            @Descriptor("id of the site trainer service, e.g. djl")
            @Parameter(names = "--trainer", absentValue = "") String trainer,
            @Descriptor("id of the dataset loader, as listed by fedfms:datasets")
            @Parameter(names = "--dataset", absentValue = "") String dataset,
            @Descriptor("number of sites (the loader's 'sites' setting)")
            @Parameter(names = "--sites", absentValue = "") String sites,
            @Descriptor("dataset loader settings k=v,k=v (an empty value keeps the default), e.g. root=/data/x,sites=4")
            @Parameter(names = "--data", absentValue = "") String data,
            @Descriptor("aggregation strategy id, as listed by fedfms:strategies")
            @Parameter(names = "--strategy", absentValue = "") String strategy,
            @Descriptor("planned number of rounds")
            @Parameter(names = "--rounds", absentValue = "") String rounds,
            @Descriptor("local epochs per round")
            @Parameter(names = "--local-epochs", absentValue = "") String localEpochs,
            @Descriptor("samples per batch")
            @Parameter(names = "--batch", absentValue = "") String batch,
            @Descriptor("learning rate of the sites' optimizer")
            @Parameter(names = "--lr", absentValue = "") String lr,
            @Descriptor("federated, centralized, local-only or leave-one-site-out")
            @Parameter(names = "--protocol", absentValue = "") String protocol,
            @Descriptor("the held-out site of leave-one-site-out")
            @Parameter(names = "--unseen-site", absentValue = "") String unseenSite,
            @Descriptor("device of the site trainers: auto, cpu or gpu:N")
            @Parameter(names = "--device", absentValue = "") String device,
            @Descriptor("seed of site selection, initialisation and shuffling")
            @Parameter(names = "--seed", absentValue = "") String seed,
            @Descriptor("fewest sites whose updates a round needs")
            @Parameter(names = "--min-sites", absentValue = "") String minSites,
            @Descriptor("fraction of the training sites chosen each round, in (0, 1]")
            @Parameter(names = "--fraction", absentValue = "") String fraction,
            @Descriptor("seconds the sites have to deliver their updates")
            @Parameter(names = "--deadline", absentValue = "") String deadline,
            @Descriptor("stop a run when validation Dice has not improved for N rounds (0: run every round)")
            @Parameter(names = "--patience", absentValue = "") String patience,
            @Descriptor("checkpoint of the initial model: PyTorch .pth/.pt as downloaded (e.g. sam_vit_b_01ec64.pth, "
                    + "medsam_vit_b.pth), .safetensors or .npz; default: random initialisation")
            @Parameter(names = "--weights", absentValue = "") String weights,
            @Descriptor("how parameters travel per direction, e.g. up=topk:0.01+int8,down=int8 (codings: fp32, fp16, "
                    + "bf16, int8, nf4, fp4, topk:FRACTION+CODING); default fp32 both ways")
            @Parameter(names = "--encoding", absentValue = "") String encoding,
            @Descriptor("further trainer options k=v,k=v (loss, prompt mode, ...)")
            @Parameter(names = "--options", absentValue = "") String options,
            @Descriptor("secure aggregation (SecAgg+): on, off, or threshold=T,neighbours=K; the coordinator sees only "
                    + "masked updates and their sum (fedavg, fedprox, fedadam, fedyogi, fedadagrad, fedavgm)")
            @Parameter(names = "--secure-aggregation", absentValue = "") String secureAggregation,
            @Descriptor("client-side differential privacy clip=C,noise=SIGMA,delta=DELTA[,budget=EPSILON]: each site "
                    + "clips its update to norm C and adds Gaussian noise SIGMA*C; epsilon at DELTA after each round "
                    + "is the metric dp_epsilon; a budget pauses the run before a round would exceed it")
            @Parameter(names = "--client-dp", absentValue = "") String clientDp,
            @Descriptor("parameters that stay at each site, neither sent nor aggregated: glob patterns PATTERN[,PATTERN], "
                    + "in quotes, as Gogo expands * itself: '*norm*' (FedBN), '*adapter*' or "
                    + "'mask_decoder.output_hypernetworks*' (FedPer-style)")
            @Parameter(names = "--local-parameters", absentValue = "") String localParameters,
            @Descriptor("Ditto personalization with this lambda: each site also trains a personal model with the "
                    + "proximal term lambda/2*|v - x|^2 towards the global model x, scored beside it as personal_* "
                    + "metrics (the trainer option dittoLambda)")
            @Parameter(names = "--ditto", absentValue = "") String ditto,
            @Descriptor(SharedArguments.REPLACE)
            @Parameter(names = "--replace", absentValue = "false", presentValue = "true") boolean replace,
            @Descriptor("experiment name: letters, digits, '.', '_' and '-'") String name,
            @Descriptor(SharedArguments.STRATEGY_SETTINGS) String... settings) {
        FederationService f = Federations.require(federation);
        String[] positional = new String[settings.length + 1];
        positional[0] = name;
        System.arraycopy(settings, 0, positional, 1, settings.length);
        Federations.noUnknownOptions("experiment", ExperimentOptions.knownOptions(), positional);
        ExperimentOptions o = new ExperimentOptions(name);
        ExperimentSpecBuilder b = o.builder();
        o.text(model, b::model);
        o.text(adapter, b::adapter);
        o.text(trainer, b::trainer);
        o.text(dataset, b::dataset);
        o.dataset(data, sites);
        o.text(strategy, b::strategy);
        o.integer("--rounds", rounds, b::rounds);
        o.integer("--local-epochs", localEpochs, b::localEpochs);
        o.integer("--batch", batch, b::batchSize);
        o.decimal("--lr", lr, b::learningRate);
        o.protocol(protocol);
        o.text(unseenSite, b::unseenSite);
        o.text(device, b::device);
        o.integer("--patience", patience, b::patience);
        o.text(weights, b::weights);
        o.text(encoding, b::encoding);
        o.longInteger("--seed", seed, b::seed);
        o.integer("--min-sites", minSites, b::minSites);
        o.decimal("--fraction", fraction, b::fractionPerRound);
        o.decimal("--deadline", deadline, b::roundDeadlineSeconds);
        o.trainerOptions(options);
        o.ditto(ditto);
        o.text(secureAggregation, b::secureAggregation);
        o.text(clientDp, b::clientDp);
        o.text(localParameters, b::localParameters);
        o.strategySettings(settings);
        ExperimentSpec spec = o.build();
        try {
            return create(f, spec, replace);
        } catch (SettingsException invalid) {
            throw o.named(invalid);
        }
    }

    @Descriptor("create an experiment from a spec file written by fedfms:experiment-save (or by hand: keys left out "
            + "take their defaults)")
    public Table experimentLoad(CommandSession session,
            @Descriptor("create it under this name instead of the one in the file")
            @Parameter(names = "--name", absentValue = "") String name,
            @Descriptor(SharedArguments.REPLACE)
            @Parameter(names = "--replace", absentValue = "false", presentValue = "true") boolean replace,
            @Descriptor("the spec file, e.g. fedmsa.json") String file) {
        FederationService f = Federations.require(federation);
        Federations.noUnknownOptions("experiment-load", List.of("--name", "--replace"), file);
        Path path = Federations.resolve(session, file);
        ExperimentSpec spec;
        try {
            spec = ExperimentSpecJson.readUnvalidated(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no experiment spec file " + path);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read experiment spec " + path + ": " + e.getMessage(), e);
        }
        if (!name.isBlank()) {
            spec = spec.toBuilder().name(name.trim()).build();
        }
        try {
            return create(f, spec, replace);
        } catch (SettingsException e) {
            throw new SettingsException("experiment spec " + path, e.problems());
        }
    }

    @Descriptor("write an experiment's spec (with the strategy its next round uses) to a JSON file, atomically")
    public String experimentSave(CommandSession session, @Descriptor(SharedArguments.EXPERIMENT) String name,
            @Descriptor("the file to write, e.g. fedmsa.json") String file) throws IOException {
        FederationService f = Federations.require(federation);
        ExperimentSpec spec = f.spec(name);
        Path path = Federations.resolve(session, file);
        ExperimentSpecJson.write(path, spec);
        return "saved the spec of experiment '" + name + "' to " + path;
    }

    @Descriptor("list the experiments with their state, rounds, method, model, dataset, strategy and last evaluation")
    public Table experiments() {
        FederationService f = Federations.require(federation);
        List<List<String>> rows = new ArrayList<>();
        for (ExperimentStatus s : f.experiments()) {
            ExperimentSpec spec;
            try {
                spec = f.spec(s.name());
            } catch (FederationException removedMeanwhile) {
                continue;
            }
            rows.add(List.of(s.name(), s.state().name().toLowerCase(Locale.ROOT),
                    s.completedRounds() + "/" + s.plannedRounds(), s.protocol().id(), ExperimentSummary.method(spec),
                    spec.model(), spec.dataset(), s.strategyId(), ExperimentTables.metricsText(s.lastEvaluation()),
                    s.message()));
        }
        return new Table(rows.isEmpty() ? "no experiments in " + f.experimentsDirectory() : "",
                List.of("name", "state", "rounds", "protocol", "method", "model", "dataset", "strategy",
                        "last evaluation", "message"), rows);
    }

    @Descriptor("show where one experiment stands, what it is and its last rounds")
    public Table status(@Descriptor(SharedArguments.EXPERIMENT) String name) {
        return StatusTables.status(Federations.require(federation), name);
    }

    @Descriptor("swap an experiment's aggregation strategy (and its settings); the next round that starts uses it")
    public Table strategy(@Descriptor(SharedArguments.EXPERIMENT) String name,
            @Descriptor("strategy id, as listed by fedfms:strategies") String id,
            @Descriptor(SharedArguments.STRATEGY_SETTINGS) String... settings) {
        FederationService f = Federations.require(federation);
        Map<String, Object> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String kv : settings) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                problems.add("'" + kv + "' is not a strategy setting of the form key=value");
            } else {
                values.put(kv.substring(0, eq).trim(), SettingsText.typed(kv.substring(eq + 1).trim()));
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException("strategy " + id + " for experiment '" + name + "'", problems);
        }
        ExperimentStatus s = f.swapStrategy(name, id, values);
        Table status = StatusTables.status(f, name);
        return new Table("experiment " + name + ": strategy " + s.strategyId() + " from round "
                + (s.completedRounds() + 1), status.headers(), status.rows());
    }

    @Descriptor("remove an experiment that is not running, and delete its directory (checkpoints, history)")
    public String remove(
            @Descriptor("keep its directory: it is listed again after a restart")
            @Parameter(names = "--keep-files", absentValue = "false", presentValue = "true") boolean keepFiles,
            @Descriptor(SharedArguments.EXPERIMENT) String name) {
        FederationService f = Federations.require(federation);
        Federations.noUnknownOptions("remove", List.of("--keep-files"), name);
        Path dir = f.experimentsDirectory().resolve(name);
        if (!f.remove(name, !keepFiles)) {
            throw new ExperimentNotFoundException(name, "no experiment '" + name + "' (experiments: "
                    + f.experiments().stream().map(ExperimentStatus::name).toList() + ")");
        }
        return keepFiles ? "removed experiment '" + name + "'; its files stay in " + dir
                : "removed experiment '" + name + "' and deleted " + dir;
    }

    private static Table create(FederationService f, ExperimentSpec spec, boolean replace) {
        if (replace) {
            f.replace(spec);
        } else {
            f.create(spec);
        }
        return StatusTables.status(f, spec.name());
    }
}
