package org.fedfms.ui.internal.parts;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.federation.ExperimentInspector;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.WidgetName;
import org.fedfms.ui.internal.services.FederationAccess;
import org.fedfms.ui.internal.viewer.OverlayView;
import org.fedfms.ui.internal.viewer.SampleTables;
import org.fedfms.ui.internal.viewer.ViewerWork;
import org.fedfms.ui.internal.viewer.ViewerWork.Kind;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * Browses an experiment's dataset site by site and sample by sample, with the experiment's current global
 * model (a local-only experiment: the site's own model): per-sample Dice, IoU and HD95 of a split, and the
 * chosen sample's image with the ground truth outlined and the prediction filled over it. What it shows
 * comes from the federation's {@link ExperimentInspector} (the prediction exporter of the experiment's
 * trainer) in Jobs with progress and cancel ({@link ViewerWork}); the lists are {@link SampleTables}, the
 * picture an {@link OverlayView}.
 */
public class SegmentationViewerPart {

    private static final String[] SPLITS = {"test", "validation", "train"};

    private FederationAccess federation;
    private Combo experimentCombo;
    private Combo splitCombo;
    private Label status;
    private SampleTables tables;
    private OverlayView view;
    private ViewerWork work;

    private ExperimentInspector shown;
    private String site;
    private DataSplit split = DataSplit.TEST;
    private String wantedSite;
    private String wantedSample;
    private String requestedSample;

    @Inject
    public SegmentationViewerPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        parent.setLayout(new GridLayout(7, false));
        new Label(parent, SWT.NONE).setText("Experiment:");
        experimentCombo = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        WidgetName.set(experimentCombo, "experiment");
        GridData comboData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
        comboData.widthHint = 180;
        experimentCombo.setLayoutData(comboData);
        experimentCombo.addListener(SWT.Selection, e -> showExperiment(experimentCombo.getText()));
        experimentCombo.addListener(SWT.MouseDown, e -> refreshExperiments());
        new Label(parent, SWT.NONE).setText("Split:");
        splitCombo = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        WidgetName.set(splitCombo, "split");
        splitCombo.setItems(SPLITS);
        splitCombo.select(0);
        splitCombo.addListener(SWT.Selection, e -> selectSplit(DataSplit.valueOf(
                splitCombo.getText().toUpperCase(Locale.ROOT))));
        Button reloadButton = new Button(parent, SWT.PUSH);
        reloadButton.setText("Reload model");
        reloadButton.setToolTipText("Fetch the experiment's current model and dataset again and re-evaluate");
        reloadButton.addListener(SWT.Selection, e -> reload());
        status = new Label(parent, SWT.NONE);
        WidgetName.set(status, "status");
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));

        SashForm sash = new SashForm(parent, SWT.HORIZONTAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 7, 1));
        tables = new SampleTables(sash, this::selectSite, this::selectSample);
        view = new OverlayView(sash, () -> shown != null);
        sash.setWeights(36, 64);
        work = new ViewerWork(view.canvas(), status::setText);

        federation = new FederationAccess(parent.getDisplay(), this::onEvent);
        refreshExperiments();
        if (experimentCombo.getItemCount() > 0) {
            showExperiment(experimentCombo.getItem(0));
        } else {
            status.setText("No experiments yet: create one in the Experiments part.");
        }
    }

    private void onEvent(FederationEvent event) {
        if (view.canvas().isDisposed()) {
            return;
        }
        if (indexOf(event.experiment()) < 0) {
            refreshExperiments();
        }
        if (shown == null && !work.running(Kind.LOAD) && experimentCombo.getItemCount() > 0) {
            showExperiment(event.experiment());
            return;
        }
        if (shown != null && event.experiment().equals(shown.experiment())
                && event instanceof FederationEvent.RoundCompleted done) {
            status.setText("Round " + done.result().round() + " completed: \"Reload model\" shows its global model"
                    + " (showing the " + model(site == null ? "" : site) + ").");
        }
    }

    private void refreshExperiments() {
        FederationService f = federation.current();
        String current = experimentCombo.getText();
        List<String> names = f == null ? List.of() : f.experiments().stream().map(ExperimentStatus::name).toList();
        experimentCombo.setItems(names.toArray(String[]::new));
        int i = names.indexOf(current);
        if (i >= 0) {
            experimentCombo.select(i);
        }
    }

    private int indexOf(String name) {
        return List.of(experimentCombo.getItems()).indexOf(name);
    }

    /** Which model predicts the site, and after which round. */
    private String model(String siteId) {
        int round = shown.round();
        return (shown.ownModel(siteId) ? siteId + "'s own model" : "global model") + (round == 0 ? " before round 1"
                : " after round " + round);
    }

    // ---------------------------------------------------------------- load, evaluate, predict

    /**
     * Shows an experiment: inspects its model and loads its dataset in a Job, then evaluates its first site
     * (the unseen one of a leave-one-site-out experiment) and shows the first sample.
     *
     * @return the loading job
     */
    public Job showExperiment(String name) {
        refreshExperiments();
        int i = indexOf(name);
        if (i >= 0) {
            experimentCombo.select(i);
        }
        wantedSite = null;
        wantedSample = null;
        return load(name);
    }

    /** Fetches the shown experiment's current model and dataset again, keeping the site and sample shown. */
    public Job reload() {
        if (shown == null) {
            return experimentCombo.getText().isEmpty() ? null : showExperiment(experimentCombo.getText());
        }
        wantedSite = site;
        wantedSample = view.sampleId();
        return load(shown.experiment());
    }

    private Job load(String name) {
        work.cancel(Kind.LOAD);
        shown = null;
        tables.clearSites();
        int gen = clearSite();
        status.setText("Loading experiment " + name + " ...");
        FederationService f = federation.current();
        if (f == null) {
            status.setText("The federation engine is not running: start bundle org.fedfms.federation in the Bundles"
                    + " part.");
            return null;
        }
        return work.start(Kind.LOAD, "Load experiment " + name + " for the segmentation viewer", gen,
                (monitor, later) -> {
                    monitor.subTask("model and spec");
                    ExperimentInspector inspector = f.inspect(name);
                    monitor.worked(20);
                    monitor.subTask("dataset " + inspector.spec().dataset());
                    inspector.dataset();
                    monitor.checkCanceled();
                    later.accept(() -> loaded(inspector));
                });
    }

    private void loaded(ExperimentInspector inspector) {
        shown = inspector;
        tables.showSites(inspector.dataset().sites());
        String first = wantedSite != null && inspector.dataset().site(wantedSite).isPresent() ? wantedSite
                : inspector.firstSite();
        if (first == null) {
            status.setText("Dataset " + inspector.spec().dataset() + " of " + inspector.experiment()
                    + " has no sites.");
            return;
        }
        selectSite(first);
    }

    /** Forgets the site shown; returns the new generation. */
    private int clearSite() {
        site = null;
        requestedSample = null;
        tables.clearSamples();
        view.clear();
        return work.advance();
    }

    /**
     * Shows a site of the shown experiment: evaluates the chosen split's samples in a Job, then shows the
     * first sample (or the one shown before a reload).
     *
     * @return the evaluation job, or null when nothing can be evaluated (the status line says why)
     */
    public Job selectSite(String siteId) {
        if (shown == null) {
            return null;
        }
        ExperimentInspector in = shown;
        Optional<SiteData> data = in.dataset().site(siteId);
        if (data.isEmpty()) {
            status.setText("Site " + siteId + " is not in dataset " + in.spec().dataset() + ".");
            return null;
        }
        int gen = clearSite();
        site = siteId;
        tables.selectSite(siteId);
        if (in.missingExporter() != null) {
            status.setText("Trainer '" + in.spec().trainer() + "' offers no prediction exporter: the viewer needs"
                    + " one (the djl trainer, org.fedfms.train, has one).");
            return null;
        }
        DataSplit s = split;
        SiteData siteData = data.get();
        if (siteData.split(s).isEmpty()) {
            status.setText("Site " + siteId + " has no " + splitName() + " samples.");
            return null;
        }
        status.setText("Evaluating the " + model(siteId) + " on " + siteId + " (" + splitName() + ", "
                + siteData.split(s).size() + " samples) ...");
        return work.start(Kind.EVALUATE, "Evaluate " + in.experiment() + " on " + siteId + " (" + splitName() + ")",
                gen, (monitor, later) -> {
                    List<SampleMetrics> m = ViewerWork.cancellable(() -> in.evaluateSamples(siteData, s, List.of(),
                            ViewerWork.monitor(monitor)));
                    later.accept(() -> evaluated(in, siteId, m));
                });
    }

    private void evaluated(ExperimentInspector in, String siteId, List<SampleMetrics> m) {
        tables.showSamples(m);
        status.setText(in.experiment() + ", " + model(siteId) + ": " + siteId + " " + splitName() + ", "
                + tables.sampleCount() + " samples, mean Dice " + LineChart.format(tables.mean("dice")) + ", "
                + tables.emptyCount() + " empty (label absent from both, left out)");
        String sample = wantedSample != null && tables.listed(wantedSample) ? wantedSample : tables.firstSample();
        wantedSample = null;
        if (sample != null) {
            selectSample(sample);
        }
    }

    /**
     * Shows a sample of the shown site: its prediction by the shown model, in a Job.
     *
     * @return the prediction job, or null when no site is evaluated or the sample is not listed
     */
    public Job selectSample(String sampleId) {
        if (shown == null || site == null || !tables.listed(sampleId)) {
            return null;
        }
        ExperimentInspector in = shown;
        int gen = work.generation();
        requestedSample = sampleId;
        tables.selectSample(sampleId);
        String siteId = site;
        SiteData siteData = in.dataset().site(siteId).orElseThrow();
        DataSplit s = split;
        view.say(siteId + " / " + sampleId + ": predicting ...");
        return work.start(Kind.PREDICT, "Predict " + siteId + " / " + sampleId + " with " + in.experiment(), gen,
                (monitor, later) -> {
                    List<SamplePrediction> p = ViewerWork.cancellable(() -> in.predict(siteData, s,
                            List.of(sampleId), ViewerWork.monitor(monitor)));
                    later.accept(() -> predicted(p.get(0)));
                });
    }

    private void predicted(SamplePrediction p) {
        if (p.sampleId().equals(requestedSample)) {
            view.show(p); // else an earlier click's prediction, overtaken by a later one
        }
    }

    /** Shows another split of the shown site. */
    public Job selectSplit(DataSplit s) {
        split = s;
        splitCombo.select(List.of(SPLITS).indexOf(splitName()));
        return site == null ? null : selectSite(site);
    }

    private String splitName() {
        return split.name().toLowerCase(Locale.ROOT);
    }

    @Focus
    public void focus() {
        tables.focus();
    }

    @PreDestroy
    public void dispose() {
        if (work != null) {
            work.dispose();
        }
        if (view != null) {
            view.dispose();
        }
        if (federation != null) {
            federation.close();
        }
    }
}
