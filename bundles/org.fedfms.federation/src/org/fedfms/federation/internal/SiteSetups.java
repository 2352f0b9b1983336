package org.fedfms.federation.internal;

import static org.fedfms.federation.internal.RoundMessages.describe;
import static org.fedfms.federation.internal.RoundMessages.join;
import static org.fedfms.federation.internal.RoundMessages.where;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DatasetException;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.Sample;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.StrategyState;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.federation.ExperimentSpec.Protocol;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.SiteProvider;
import org.fedfms.wire.TransferEncoding;

/**
 * An experiment's sites: built from its dataset by the trainer factory present now (rebuilt when that
 * factory changes), or listed by its site provider; and the models a round starts from (checkpoint or the
 * first site's initial parameters). Called under the experiment's round lock; throws {@link RoundAbort}.
 */
final class SiteSetups {

    private final Services services;

    SiteSetups(Services services) {
        this.services = services;
    }

    /** The sites, built from the dataset by the trainer factory present now; rebuilt if that factory changed. */
    SiteSetup ensure(Experiment e, ExperimentSpec spec, int round) {
        org.fedfms.federation.SiteProvider provider = services.loaders().get(spec.dataset()) == null
                ? services.siteProviders().get(spec.dataset()) : null;
        if (provider != null || (e.setup != null && e.setup.provider() != null)) {
            return providedSetup(e, spec, round, provider);
        }
        SiteTrainerFactory factory = services.trainerFactories().get(spec.trainer());
        SiteSetup current = e.setup;
        if (current != null && current.factory() == factory) {
            return current;
        }
        boolean hadSites = current != null;
        e.closeSetup();
        if (factory == null) {
            throw RoundAbort.pause(where(e, round) + " cannot start: trainer factory '" + spec.trainer() + "' is "
                    + (hadSites ? "no longer" : "not") + " present (present: " + services.trainerFactories().ids()
                    + "); start its bundle again, then resume. The experiment keeps the model of round " + (round - 1)
                    + ".");
        }
        DatasetLoader loader = services.loaders().get(spec.dataset());
        if (loader == null) {
            throw RoundAbort.pause(where(e, round) + " cannot start: dataset loader '" + spec.dataset()
                    + "' is not present (present: " + services.loaders().ids() + "); start its bundle, then resume.");
        }
        FederatedDataset dataset;
        try {
            dataset = loader.load(spec.datasetSettings());
        } catch (DatasetException | RuntimeException x) {
            throw RoundAbort.fail("experiment '" + e.name + "': dataset '" + spec.dataset() + "' with settings "
                    + new TreeMap<>(spec.datasetSettings()) + " cannot be loaded: " + describe(x), x);
        }
        if (dataset == null || dataset.sites().isEmpty()) {
            throw RoundAbort.fail("experiment '" + e.name + "': dataset '" + spec.dataset() + "' with settings "
                    + new TreeMap<>(spec.datasetSettings()) + " has no sites", null);
        }
        if (!dataset.skipped().isEmpty()) {
            e.pendingNote = join(e.pendingNote, skippedNote(spec, dataset.skipped()));
        }
        List<SiteData> training = new ArrayList<>();
        SiteData unseen = null;
        switch (spec.protocol()) {
            case FEDERATED, LOCAL_ONLY -> training.addAll(dataset.sites());
            case LEAVE_ONE_SITE_OUT -> {
                unseen = dataset.site(spec.unseenSite()).orElseThrow(() -> RoundAbort.fail("experiment '" + e.name
                        + "': the unseen site '" + spec.unseenSite() + "' is not a site of dataset '" + spec.dataset()
                        + "' (sites: " + siteIds(dataset.sites()) + ")", null));
                for (SiteData s : dataset.sites()) {
                    if (s != unseen) {
                        training.add(s);
                    }
                }
            }
            case CENTRALIZED -> training.add(pooled(dataset.sites()));
        }
        checkSamples(e, spec, training);
        TrainerSpec trainerSpec = spec.trainerSpec();
        TransferEncoding encoding = TransferEncoding.parse(spec.sharing().encoding());
        List<SiteSlot> slots = new ArrayList<>();
        SiteSlot unseenSlot = null;
        try {
            for (SiteData s : training) {
                slots.add(new SiteSlot(EncodedSite.wrap(PersonalizedSite.wrap(new InProcessSite(s,
                        create(e, factory, trainerSpec, s), InProcessSite.stateDirectory(e.directory, s.siteId()),
                        trainerSpec.options()), spec, e.directory), encoding, e.name, e.directory.resolve("residuals"))));
            }
            if (unseen != null) {
                unseenSlot = new SiteSlot(EncodedSite.wrap(PersonalizedSite.wrap(new InProcessSite(unseen,
                        create(e, factory, trainerSpec, unseen)), spec, e.directory), encoding, e.name,
                        e.directory.resolve("residuals")));
            }
        } catch (RoundAbort a) {
            slots.forEach(SiteSlot::close);
            throw a;
        }
        SiteSetup setup = new SiteSetup(factory, dataset, slots, unseenSlot);
        e.setup = setup;
        return setup;
    }

    /** The sites a provider lists now; rebuilt when its list changes. */
    private static SiteSetup providedSetup(Experiment e, ExperimentSpec spec, int round,
            org.fedfms.federation.SiteProvider provider) {
        if (provider == null) {
            e.setup = null;
            throw RoundAbort.pause(where(e, round) + " cannot start: site provider '" + spec.dataset()
                    + "' is no longer present (the coordinator stopped?); start it again, then resume. The experiment "
                    + "keeps the model of round " + (round - 1) + ".");
        }
        List<org.fedfms.federation.FederatedSite> sites;
        try {
            sites = List.copyOf(provider.sites(spec));
        } catch (RuntimeException x) {
            throw RoundAbort.pause(where(e, round) + " cannot start: site provider '" + spec.dataset()
                    + "' cannot list its sites: " + describe(x), x);
        }
        SiteSetup current = e.setup;
        if (current != null && current.provider() == provider && sameSites(current.provided(), sites)) {
            return current;
        }
        List<SiteSlot> training = new ArrayList<>();
        SiteSlot unseen = null;
        for (org.fedfms.federation.FederatedSite s : sites) {
            SiteSlot slot = reuse(current, s);
            if (spec.protocol() == Protocol.LEAVE_ONE_SITE_OUT && s.siteId().equals(spec.unseenSite())) {
                unseen = slot;
            } else {
                training.add(slot);
            }
        }
        int withSamples = org.fedfms.federation.SiteProvider.trainingSites(spec,
                training.stream().map(SiteSlot::info).toList());
        if (withSamples < spec.participation().minSites()) {
            throw RoundAbort.pause(where(e, round) + " cannot start: only " + withSamples + " site(s) with training "
                    + "samples are connected to site provider '" + spec.dataset() + "' (" + sites.stream()
                    .map(org.fedfms.federation.FederatedSite::siteId).toList() + ") but minSites is "
                    + spec.participation().minSites() + "; resume when more sites have joined");
        }
        SiteSetup setup = new SiteSetup(null, null, training, unseen, provider, sites);
        e.setup = setup;
        return setup;
    }

    private static boolean sameSites(List<org.fedfms.federation.FederatedSite> a,
            List<org.fedfms.federation.FederatedSite> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** The slot of the earlier setup that holds {@code site} (keeping its busy guard), else a new one. */
    private static SiteSlot reuse(SiteSetup current, org.fedfms.federation.FederatedSite site) {
        if (current != null) {
            for (SiteSlot s : current.all()) {
                if (s.site() == site) {
                    return s;
                }
            }
        }
        return new SiteSlot(site);
    }

    private static SiteTrainer create(Experiment e, SiteTrainerFactory factory, TrainerSpec spec, SiteData site) {
        try {
            SiteTrainer t = factory.create(spec, site);
            if (t == null) {
                throw new IllegalStateException("the factory returned no trainer");
            }
            return t;
        } catch (Exception x) {
            throw RoundAbort.fail("experiment '" + e.name + "': trainer factory '" + factory.id()
                    + "' cannot create a trainer for site '" + site.siteId() + "' (model " + spec.model() + ", adapter "
                    + spec.adapter() + ", device " + spec.device() + "): " + describe(x), x);
        }
    }

    private static void checkSamples(Experiment e, ExperimentSpec spec, List<SiteData> training) {
        long total = 0;
        int withSamples = 0;
        List<String> counts = new ArrayList<>();
        for (SiteData s : training) {
            total += s.train().size();
            withSamples += s.train().isEmpty() ? 0 : 1;
            counts.add(s.siteId() + ": " + s.train().size());
        }
        if (total == 0) {
            throw RoundAbort.fail("experiment '" + e.name + "': the training sites hold 0 training samples in total ("
                    + String.join(", ", counts) + "); nothing to train on. Check the settings of dataset '"
                    + spec.dataset() + "': " + new TreeMap<>(spec.datasetSettings()), null);
        }
        int needed = spec.protocol() == Protocol.CENTRALIZED ? 1 : spec.participation().minSites();
        if (withSamples < needed) {
            throw RoundAbort.fail("experiment '" + e.name + "': only " + withSamples + " training site(s) hold training"
                    + " samples (" + String.join(", ", counts) + ") but minSites is " + needed
                    + "; lower minSites or use a dataset with more sites", null);
        }
    }

    private static SiteData pooled(List<SiteData> sites) {
        List<Sample> train = new ArrayList<>();
        List<Sample> validation = new ArrayList<>();
        List<Sample> test = new ArrayList<>();
        for (SiteData s : sites) {
            train.addAll(s.train());
            validation.addAll(s.validation());
            test.addAll(s.test());
        }
        return new SiteData("pooled", train, validation, test);
    }

    /** Reads the models and strategy state of a restored experiment from its checkpoint, once. */
    static void loadCheckpoint(Experiment e) {
        CheckpointStore.Saved saved = e.restored;
        if (e.global != null || saved == null) {
            return;
        }
        try {
            ParameterSet global = saved.global();
            StrategyState state = saved.strategyState();
            Map<String, ParameterSet> local = saved.localModels();
            e.lastStrategyState = state;
            e.localModels = local;
            e.global = global;
            e.restored = null;
        } catch (IOException x) {
            throw RoundAbort.fail("experiment '" + e.name + "': the checkpoint " + saved.directory()
                    + " cannot be read: " + x.getMessage() + ". Delete that directory to go on from the checkpoint"
                    + " before it, or remove the experiment", x);
        }
    }

    /** The bad cases a dataset left out (skipBad), for the round's note: the first ten named, the rest counted. */
    static String skippedNote(ExperimentSpec spec, List<String> skipped) {
        int shown = Math.min(10, skipped.size());
        return "dataset '" + spec.dataset() + "' left out " + skipped.size() + " bad case(s) (skipBad): "
                + String.join("; ", skipped.subList(0, shown))
                + (skipped.size() > shown ? "; and " + (skipped.size() - shown) + " more (dataset-validate lists them)" : "");
    }

    /** Takes the initial models of a new experiment from its first site. */
    static void ensureInitial(Experiment e, SiteSetup setup, ExperimentSpec spec) {
        if (e.global != null) {
            return;
        }
        SiteSlot first = setup.training().get(0);
        ParameterSet initial;
        try {
            initial = first.site().initialParameters();
        } catch (Exception x) {
            throw RoundAbort.fail("experiment '" + e.name + "': site '" + first.id()
                    + "' cannot give the initial parameters: " + describe(x), x);
        }
        if (initial == null || initial.isEmpty()) {
            throw RoundAbort.fail("experiment '" + e.name + "': trainer '" + spec.trainer() + "' has no trainable "
                    + "parameters for model " + spec.model() + " with adapter " + spec.adapter(), null);
        }
        String kept = LocalParameterCheck.problems(spec, initial);
        if (kept != null) {
            throw RoundAbort.fail(kept, null);
        }
        if (spec.protocol() == Protocol.LOCAL_ONLY) {
            Map<String, ParameterSet> local = new LinkedHashMap<>();
            setup.training().forEach(s -> local.put(s.id(), initial));
            e.localModels = local;
        }
        e.global = initial;
    }

    private static List<String> siteIds(List<SiteData> sites) {
        return sites.stream().map(SiteData::siteId).toList();
    }
}
