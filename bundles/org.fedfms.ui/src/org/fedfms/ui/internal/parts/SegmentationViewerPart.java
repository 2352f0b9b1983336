package org.fedfms.ui.internal.parts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.IJobChangeEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.jobs.JobChangeAdapter;
import org.eclipse.e4.ui.di.Focus;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.DatasetLoader;
import org.fedfms.api.data.FederatedDataset;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.train.PredictionExporter;
import org.fedfms.api.train.SampleMetrics;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentStatus;
import org.fedfms.federation.FederationEvent;
import org.fedfms.federation.FederationService;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.jobs.BackgroundWork;
import org.fedfms.ui.internal.services.FederationAccess;
import org.fedfms.ui.internal.viewer.SegmentationOverlay;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;

/**
 * Browses an experiment's dataset site by site and sample by sample, with the experiment's current global
 * model (a local-only experiment: the site's own model): per-sample Dice, IoU and HD95 of a split, and the
 * chosen sample's image with the ground truth outlined and the prediction filled over it. Evaluation and
 * prediction come from the {@link PredictionExporter} service of the experiment's trainer and run as Jobs
 * with progress and cancel; the part only draws what the exporter hands out.
 */
public class SegmentationViewerPart {

    /** A site as the sites table shows it. */
    public record SiteRow(String siteId, int train, int validation, int test) {
    }

    /** A sample as the samples table shows it: its metrics under the shown model. */
    public record SampleRow(String sampleId, double dice, double iou, double hd95) {
    }

    /** What the viewer loaded for one experiment: its spec, dataset and model at one moment. */
    private record Loaded(String experiment, ExperimentSpec spec, TrainerSpec trainerSpec, FederatedDataset dataset,
            ParameterSet global, Map<String, ParameterSet> local, int round) {

        /** The parameters that predict {@code siteId}'s samples. */
        ParameterSet parameters(String siteId) {
            if (spec.protocol() == ExperimentSpec.Protocol.LOCAL_ONLY && local.containsKey(siteId)) {
                return local.get(siteId);
            }
            return global;
        }

        String model(String siteId) {
            boolean own = spec.protocol() == ExperimentSpec.Protocol.LOCAL_ONLY && local.containsKey(siteId);
            return (own ? siteId + "'s own model" : "global model") + (round == 0 ? " before round 1"
                    : " after round " + round);
        }
    }

    private static final String[] SPLITS = {"test", "validation", "train"};

    private FederationAccess federation;
    private ServiceTracker<PredictionExporter, PredictionExporter> exporters;
    private Combo experimentCombo;
    private Combo splitCombo;
    private Button reloadButton;
    private Label status;
    private Table sitesTable;
    private Table samplesTable;
    private Button truthToggle;
    private Button predictionToggle;
    private Scale opacity;
    private Label sampleLabel;
    private Canvas canvas;
    private Color truthColour;
    private Color predictionColour;

    private Loaded loaded;
    private String site;
    private DataSplit split = DataSplit.TEST;
    private List<SampleMetrics> metrics = List.of();
    private int sortColumn = -1;
    private boolean sortDescending;
    private SamplePrediction prediction;
    private ImageData overlay;
    private Image overlayImage;
    private Rectangle drawn = new Rectangle(0, 0, 0, 0);
    private String wantedSite;
    private String wantedSample;
    private String requestedSample;
    private Job loadJob;
    private Job evaluateJob;
    private Job predictJob;
    private int generation;

    @Inject
    public SegmentationViewerPart() {
    }

    @PostConstruct
    public void create(Composite parent) {
        parent.setLayout(new GridLayout(7, false));
        new Label(parent, SWT.NONE).setText("Experiment:");
        experimentCombo = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        GridData comboData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
        comboData.widthHint = 180;
        experimentCombo.setLayoutData(comboData);
        experimentCombo.addListener(SWT.Selection, e -> showExperiment(experimentCombo.getText()));
        experimentCombo.addListener(SWT.MouseDown, e -> refreshExperiments());
        new Label(parent, SWT.NONE).setText("Split:");
        splitCombo = new Combo(parent, SWT.DROP_DOWN | SWT.READ_ONLY);
        splitCombo.setItems(SPLITS);
        splitCombo.select(0);
        splitCombo.addListener(SWT.Selection, e -> selectSplit(DataSplit.valueOf(
                splitCombo.getText().toUpperCase(Locale.ROOT))));
        reloadButton = new Button(parent, SWT.PUSH);
        reloadButton.setText("Reload model");
        reloadButton.setToolTipText("Fetch the experiment's current model and dataset again and re-evaluate");
        reloadButton.addListener(SWT.Selection, e -> reload());
        status = new Label(parent, SWT.NONE);
        status.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));

        SashForm sash = new SashForm(parent, SWT.HORIZONTAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 7, 1));
        SashForm lists = new SashForm(sash, SWT.VERTICAL);
        sitesTable = table(lists, new String[][] {{"Site", "100"}, {"Train", "50"}, {"Val.", "45"}, {"Test", "45"}});
        sitesTable.addListener(SWT.Selection, e -> {
            int i = sitesTable.getSelectionIndex();
            if (i >= 0) {
                selectSite(sitesTable.getItem(i).getText(0));
            }
        });
        samplesTable = table(lists, new String[][] {{"Sample", "110"}, {"Dice", "60"}, {"IoU", "60"},
            {"HD95", "60"}});
        samplesTable.addListener(SWT.Selection, e -> {
            int i = samplesTable.getSelectionIndex();
            if (i >= 0) {
                selectSample(samplesTable.getItem(i).getText(0));
            }
        });
        for (int c = 0; c < samplesTable.getColumnCount(); c++) {
            int column = c;
            samplesTable.getColumn(c).addListener(SWT.Selection, e -> sortSamples(column));
        }
        lists.setWeights(25, 75);

        Composite right = new Composite(sash, SWT.NONE);
        GridLayout rightLayout = new GridLayout(4, false);
        rightLayout.marginWidth = 0;
        right.setLayout(rightLayout);
        truthToggle = toggle(right, "Ground truth", "Outline the ground truth (green; yellow, cyan for further labels)");
        predictionToggle = toggle(right, "Prediction", "Fill the prediction (red; magenta, orange for further labels)");
        new Label(right, SWT.NONE).setText("Opacity:");
        opacity = new Scale(right, SWT.HORIZONTAL);
        opacity.setMinimum(0);
        opacity.setMaximum(100);
        opacity.setIncrement(5);
        opacity.setPageIncrement(10);
        opacity.setSelection(Math.round(SegmentationOverlay.Style.DEFAULT.alpha() * 100f / 255));
        opacity.setToolTipText("Opacity of the prediction fill");
        GridData opacityData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
        opacityData.widthHint = 120;
        opacity.setLayoutData(opacityData);
        opacityData.grabExcessHorizontalSpace = true;
        opacity.addListener(SWT.Selection, e -> redrawOverlay());
        sampleLabel = new Label(right, SWT.NONE);
        sampleLabel.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 4, 1));
        canvas = new Canvas(right, SWT.DOUBLE_BUFFERED | SWT.BORDER);
        canvas.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 4, 1));
        canvas.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WIDGET_BACKGROUND));
        canvas.addPaintListener(e -> paint(e.gc));
        canvas.addListener(SWT.MouseMove, e -> hover(e.x, e.y));
        truthColour = new Color(SegmentationOverlay.rgb(SegmentationOverlay.TRUTH_COLOURS[0]));
        predictionColour = new Color(SegmentationOverlay.rgb(SegmentationOverlay.PREDICTION_COLOURS[0]));
        sash.setWeights(36, 64);

        BundleContext context = FrameworkUtil.getBundle(SegmentationViewerPart.class).getBundleContext();
        exporters = new ServiceTracker<>(context, PredictionExporter.class, null);
        exporters.open();
        federation = new FederationAccess(parent.getDisplay(), this::onEvent);
        refreshExperiments();
        if (experimentCombo.getItemCount() > 0) {
            showExperiment(experimentCombo.getItem(0));
        } else {
            status.setText("No experiments yet: create one in the Experiments part.");
        }
    }

    private static Table table(Composite parent, String[][] columns) {
        Table t = new Table(parent, SWT.BORDER | SWT.SINGLE | SWT.FULL_SELECTION);
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        for (String[] col : columns) {
            TableColumn c = new TableColumn(t, SWT.LEFT);
            c.setText(col[0]);
            c.setWidth(Integer.parseInt(col[1]));
        }
        return t;
    }

    private Button toggle(Composite parent, String text, String tip) {
        Button b = new Button(parent, SWT.CHECK);
        b.setText(text);
        b.setToolTipText(tip);
        b.setSelection(true);
        b.addListener(SWT.Selection, e -> redrawOverlay());
        return b;
    }

    private void onEvent(FederationEvent event) {
        if (canvas.isDisposed()) {
            return;
        }
        if (indexOf(event.experiment()) < 0) {
            refreshExperiments();
        }
        if (loaded == null && !running(loadJob) && experimentCombo.getItemCount() > 0) {
            showExperiment(event.experiment());
            return;
        }
        if (loaded != null && event.experiment().equals(loaded.experiment())
                && event instanceof FederationEvent.RoundCompleted done) {
            status.setText("Round " + done.result().round() + " completed: \"Reload model\" shows its global model"
                    + " (showing the " + loaded.model(site == null ? "" : site) + ").");
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

    // ---------------------------------------------------------------- work: load, evaluate, predict

    /**
     * Shows an experiment: loads its spec, model and dataset in a Job, then evaluates its first site (the
     * unseen one of a leave-one-site-out experiment) and shows the first sample.
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
        if (loaded == null) {
            return experimentCombo.getText().isEmpty() ? null : showExperiment(experimentCombo.getText());
        }
        wantedSite = site;
        wantedSample = prediction == null ? null : prediction.sampleId();
        return load(loaded.experiment());
    }

    private Job load(String name) {
        int gen = clear();
        status.setText("Loading experiment " + name + " ...");
        FederationService f = federation.current();
        if (f == null) {
            status.setText("The federation engine is not running: start bundle org.fedfms.federation in the Bundles"
                    + " part.");
            return null;
        }
        Display display = canvas.getDisplay();
        loadJob = BackgroundWork.start("Load experiment " + name + " for the segmentation viewer", canvas.getShell(),
                monitor -> {
                    monitor.subTask("model and spec");
                    ExperimentSpec spec = f.spec(name);
                    int round = f.status(name).completedRounds();
                    ParameterSet global = f.globalParameters(name);
                    Map<String, ParameterSet> local = spec.protocol() == ExperimentSpec.Protocol.LOCAL_ONLY
                            ? f.localParameters(name) : Map.of();
                    monitor.worked(20);
                    monitor.subTask("dataset " + spec.dataset());
                    DatasetLoader loader = f.loaders().stream().filter(l -> l.id().equals(spec.dataset())).findFirst()
                            .orElseThrow(() -> new IllegalStateException("dataset loader '" + spec.dataset()
                                    + "' of experiment '" + name + "' is not present (present: " + f.loaders().stream()
                                    .map(DatasetLoader::id).toList() + "); start its bundle in the Bundles part"));
                    FederatedDataset dataset = loader.load(spec.datasetSettings());
                    monitor.checkCanceled();
                    TrainerSpec trainerSpec = spec.trainerSpec();
                    Loaded l = new Loaded(name, spec, trainerSpec, dataset, global, local, round);
                    onDisplay(display, gen, () -> loaded(l));
                });
        watch(loadJob, gen);
        return loadJob;
    }

    private void loaded(Loaded l) {
        loaded = l;
        sitesTable.removeAll();
        for (SiteRow r : sites()) {
            TableItem item = new TableItem(sitesTable, SWT.NONE);
            item.setText(new String[] {r.siteId(), Integer.toString(r.train()), Integer.toString(r.validation()),
                Integer.toString(r.test())});
        }
        String first = wantedSite != null && l.dataset().site(wantedSite).isPresent() ? wantedSite
                : l.spec().protocol() == ExperimentSpec.Protocol.LEAVE_ONE_SITE_OUT
                        && l.dataset().site(l.spec().unseenSite()).isPresent() ? l.spec().unseenSite()
                        : l.dataset().sites().isEmpty() ? null : l.dataset().sites().get(0).siteId();
        if (first == null) {
            status.setText("Dataset " + l.spec().dataset() + " of " + l.experiment() + " has no sites.");
            return;
        }
        selectSite(first);
    }

    /**
     * Shows a site of the loaded experiment: evaluates the chosen split's samples in a Job, then shows the
     * first sample (or the one shown before a reload).
     *
     * @return the evaluation job, or null when nothing can be evaluated (the status line says why)
     */
    public Job selectSite(String siteId) {
        if (loaded == null) {
            return null;
        }
        Optional<SiteData> data = loaded.dataset().site(siteId);
        if (data.isEmpty()) {
            status.setText("Site " + siteId + " is not in dataset " + loaded.spec().dataset() + ".");
            return null;
        }
        int gen = clearSite();
        site = siteId;
        selectRow(sitesTable, siteId);
        PredictionExporter exporter = exporter(loaded.spec().trainer());
        if (exporter == null) {
            status.setText("Trainer '" + loaded.spec().trainer() + "' offers no prediction exporter: the viewer needs"
                    + " one (the djl trainer, org.fedfms.train, has one).");
            return null;
        }
        if (data.get().split(split).isEmpty()) {
            status.setText("Site " + siteId + " has no " + splitName() + " samples.");
            return null;
        }
        Loaded l = loaded;
        DataSplit s = split;
        SiteData siteData = data.get();
        status.setText("Evaluating the " + l.model(siteId) + " on " + siteId + " (" + splitName() + ", "
                + siteData.split(s).size() + " samples) ...");
        Display display = canvas.getDisplay();
        evaluateJob = BackgroundWork.start("Evaluate " + l.experiment() + " on " + siteId + " (" + splitName() + ")",
                canvas.getShell(), monitor -> {
                    List<SampleMetrics> m = cancellable(() -> exporter.evaluateSamples(l.trainerSpec(), siteData, s,
                            List.of(), l.parameters(siteId), monitor(monitor)));
                    onDisplay(display, gen, () -> evaluated(l, siteId, m));
                });
        watch(evaluateJob, gen);
        return evaluateJob;
    }

    private void evaluated(Loaded l, String siteId, List<SampleMetrics> m) {
        metrics = List.copyOf(m);
        fillSamples();
        double mean = metrics.stream().mapToDouble(x -> value(x, "dice")).average().orElse(Double.NaN);
        status.setText(l.experiment() + ", " + l.model(siteId) + ": " + siteId + " " + splitName() + ", "
                + metrics.size() + " samples, mean Dice " + LineChart.format(mean));
        String sample = wantedSample != null && metrics.stream().anyMatch(x -> x.sampleId().equals(wantedSample))
                ? wantedSample : metrics.isEmpty() ? null : rows().get(0).sampleId();
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
        if (loaded == null || site == null || metrics.stream().noneMatch(m -> m.sampleId().equals(sampleId))) {
            return null;
        }
        PredictionExporter exporter = exporter(loaded.spec().trainer());
        if (exporter == null) {
            status.setText("Trainer '" + loaded.spec().trainer() + "' offers no prediction exporter any more.");
            return null;
        }
        if (predictJob != null) {
            predictJob.cancel();
        }
        int gen = generation;
        requestedSample = sampleId;
        selectRow(samplesTable, sampleId);
        Loaded l = loaded;
        String siteId = site;
        SiteData siteData = l.dataset().site(siteId).orElseThrow();
        DataSplit s = split;
        sampleLabel.setText(siteId + " / " + sampleId + ": predicting ...");
        Display display = canvas.getDisplay();
        Job job = BackgroundWork.start("Predict " + siteId + " / " + sampleId + " with " + l.experiment(),
                canvas.getShell(), monitor -> {
                    List<SamplePrediction> p = cancellable(() -> exporter.predict(l.trainerSpec(), siteData, s,
                            List.of(sampleId), l.parameters(siteId), monitor(monitor)));
                    onDisplay(display, gen, () -> predicted(p.get(0)));
                });
        predictJob = job;
        watch(job, gen);
        return job;
    }

    private void predicted(SamplePrediction p) {
        if (!p.sampleId().equals(requestedSample)) {
            return; // an earlier click's prediction, overtaken by a later one
        }
        prediction = p;
        var m = p.metrics().metrics();
        sampleLabel.setText(p.siteId() + " / " + p.sampleId() + ": Dice " + LineChart.format(value(p.metrics(), "dice"))
                + ", IoU " + LineChart.format(value(p.metrics(), "iou")) + ", HD95 "
                + LineChart.format(value(p.metrics(), "hd95")) + (m.values().containsKey("loss")
                        ? ", loss " + LineChart.format(value(p.metrics(), "loss")) : ""));
        sampleLabel.getParent().layout();
        redrawOverlay();
    }

    /** Shows another split of the shown site. */
    public Job selectSplit(DataSplit s) {
        split = s;
        splitCombo.select(List.of(SPLITS).indexOf(splitName()));
        return site == null ? null : selectSite(site);
    }

    private PredictionExporter exporter(String trainerId) {
        ServiceReference<PredictionExporter>[] refs = exporters.getServiceReferences();
        if (refs != null) {
            for (ServiceReference<PredictionExporter> r : refs) {
                PredictionExporter e = exporters.getService(r);
                if (e != null && trainerId.equals(String.valueOf(r.getProperty(PredictionExporter.ID_PROPERTY)))) {
                    return e;
                }
            }
        }
        return null;
    }

    /**
     * Puts a failed or cancelled job's outcome in the status line (the failure itself goes to a dialog and
     * the Error Log through {@link BackgroundWork}), unless the viewer moved on since.
     */
    private void watch(Job job, int gen) {
        Display display = canvas.getDisplay();
        job.addJobChangeListener(new JobChangeAdapter() {
            @Override
            public void done(IJobChangeEvent event) {
                IStatus result = event.getResult();
                if (result == null || result.isOK() || display.isDisposed()) {
                    return;
                }
                display.asyncExec(() -> {
                    if (!canvas.isDisposed() && gen == generation) {
                        status.setText(result.getSeverity() == IStatus.CANCEL ? job.getName() + ": cancelled."
                                : result.getMessage() + " (details in the Error Log)");
                    }
                });
            }
        });
    }

    /** Runs exporter work; its cancellation (after the job's cancel) becomes the job's. */
    private static <T> T cancellable(java.util.concurrent.Callable<T> work) throws Exception {
        try {
            return work.call();
        } catch (CancellationException e) {
            throw new OperationCanceledException(e.getMessage());
        }
    }

    /** Progress of the exporter as the job's progress; the job's cancel as the exporter's. */
    private static TrainingMonitor monitor(SubMonitor monitor) {
        return new TrainingMonitor() {
            private int reported;

            @Override
            public void progress(String siteId, double fraction, String message) {
                int now = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 100);
                if (now > reported) {
                    monitor.worked(now - reported);
                    reported = now;
                }
                monitor.subTask(message);
            }

            @Override
            public boolean isCancelled() {
                return monitor.isCanceled();
            }
        };
    }

    /**
     * Runs {@code update} on the display thread unless the viewer moved on (another experiment, site or
     * split) since the work started.
     */
    private void onDisplay(Display display, int gen, Runnable update) {
        if (display.isDisposed()) {
            throw new OperationCanceledException();
        }
        display.asyncExec(() -> {
            if (!canvas.isDisposed() && gen == generation) {
                update.run();
            }
        });
    }

    /** Forgets the experiment shown; returns the new generation. */
    private int clear() {
        cancel(loadJob);
        loadJob = null;
        loaded = null;
        sitesTable.removeAll();
        return clearSite();
    }

    /** Forgets the site shown; returns the new generation. */
    private int clearSite() {
        cancel(evaluateJob);
        cancel(predictJob);
        evaluateJob = null;
        predictJob = null;
        site = null;
        requestedSample = null;
        metrics = List.of();
        prediction = null;
        samplesTable.removeAll();
        sampleLabel.setText("");
        redrawOverlay();
        return ++generation;
    }

    private static void cancel(Job job) {
        if (job != null) {
            job.cancel();
        }
    }

    // ---------------------------------------------------------------- tables and drawing

    private void sortSamples(int column) {
        sortDescending = column == sortColumn ? !sortDescending : column == 1 || column == 2;
        sortColumn = column;
        samplesTable.setSortColumn(samplesTable.getColumn(column));
        samplesTable.setSortDirection(sortDescending ? SWT.DOWN : SWT.UP);
        String selected = prediction == null ? null : prediction.sampleId();
        fillSamples();
        if (selected != null) {
            selectRow(samplesTable, selected);
        }
    }

    private void fillSamples() {
        samplesTable.setRedraw(false);
        try {
            samplesTable.removeAll();
            for (SampleRow r : rows()) {
                TableItem item = new TableItem(samplesTable, SWT.NONE);
                item.setText(new String[] {r.sampleId(), LineChart.format(r.dice()), LineChart.format(r.iou()),
                    LineChart.format(r.hd95())});
            }
        } finally {
            samplesTable.setRedraw(true);
        }
    }

    private List<SampleRow> rows() {
        List<SampleRow> rows = new ArrayList<>();
        for (SampleMetrics m : metrics) {
            rows.add(new SampleRow(m.sampleId(), value(m, "dice"), value(m, "iou"), value(m, "hd95")));
        }
        if (sortColumn >= 0) {
            Comparator<SampleRow> by = switch (sortColumn) {
                case 1 -> Comparator.comparingDouble(SampleRow::dice);
                case 2 -> Comparator.comparingDouble(SampleRow::iou);
                case 3 -> Comparator.comparingDouble(SampleRow::hd95);
                default -> Comparator.comparing(SampleRow::sampleId);
            };
            rows.sort(sortDescending ? by.reversed() : by);
        }
        return rows;
    }

    private static double value(SampleMetrics m, String name) {
        return m.metrics().get(name).orElse(Double.NaN);
    }

    private static void selectRow(Table table, String key) {
        for (int i = 0; i < table.getItemCount(); i++) {
            if (table.getItem(i).getText(0).equals(key)) {
                if (table.getSelectionIndex() != i) {
                    table.setSelection(i);
                }
                return;
            }
        }
    }

    private String splitName() {
        return split.name().toLowerCase(Locale.ROOT);
    }

    private SegmentationOverlay.Style style() {
        return new SegmentationOverlay.Style(truthToggle.getSelection(), predictionToggle.getSelection(),
                Math.round(opacity.getSelection() * 255f / 100));
    }

    private void redrawOverlay() {
        if (overlayImage != null) {
            overlayImage.dispose();
            overlayImage = null;
        }
        overlay = prediction == null ? null
                : SegmentationOverlay.render(prediction.image(), prediction.predicted(), style());
        if (overlay != null) {
            overlayImage = new Image(canvas.getDisplay(), overlay);
        }
        canvas.redraw();
    }

    private void paint(GC gc) {
        Rectangle area = canvas.getClientArea();
        int legend = gc.getFontMetrics().getHeight() + 8;
        if (overlayImage == null) {
            drawn = new Rectangle(0, 0, 0, 0);
            gc.drawText(loaded == null ? "No experiment loaded." : "No sample shown.", 8, 8, true);
            return;
        }
        int w = overlay.width;
        int h = overlay.height;
        double scale = Math.min((area.width - 16) / (double) w, (area.height - 16 - legend) / (double) h);
        if (scale <= 0) {
            return;
        }
        int sw = Math.max(1, (int) Math.floor(w * scale));
        int sh = Math.max(1, (int) Math.floor(h * scale));
        drawn = new Rectangle(8 + (area.width - 16 - sw) / 2, 8, sw, sh);
        gc.setInterpolation(SWT.NONE);
        gc.drawImage(overlayImage, 0, 0, w, h, drawn.x, drawn.y, drawn.width, drawn.height);
        int y = drawn.y + drawn.height + 6;
        int x = drawn.x;
        int box = gc.getFontMetrics().getHeight() - 4;
        gc.setBackground(predictionColour);
        gc.fillRectangle(x, y + 2, box, box);
        x += box + 4;
        String pred = "prediction (fill)";
        gc.drawText(pred, x, y, true);
        x += gc.textExtent(pred).x + 16;
        gc.setForeground(truthColour);
        gc.setLineWidth(2);
        gc.drawRectangle(x + 1, y + 3, box - 2, box - 2);
        gc.setForeground(canvas.getDisplay().getSystemColor(SWT.COLOR_WIDGET_FOREGROUND));
        x += box + 4;
        String truth = "ground truth (outline)";
        gc.drawText(truth, x, y, true);
        x += gc.textExtent(truth).x + 16;
        gc.drawText(w + "x" + h + " px", x, y, true);
    }

    private void hover(int x, int y) {
        if (prediction == null || !drawn.contains(x, y)) {
            canvas.setToolTipText(null);
            return;
        }
        int w = prediction.image().width();
        int h = prediction.image().height();
        int px = Math.min(w - 1, (x - drawn.x) * w / drawn.width);
        int py = Math.min(h - 1, (y - drawn.y) * h / drawn.height);
        int i = py * w + px;
        StringBuilder tip = new StringBuilder("x " + px + ", y " + py + ": truth " + prediction.image().mask()[i]
                + ", predicted " + prediction.predicted()[i]);
        float[][] p = prediction.probabilities();
        for (int k = 0; k < p.length; k++) {
            tip.append(p.length == 1 ? ", p " : ", p" + (k + 1) + " ").append(String.format(Locale.ROOT, "%.3f", p[k][i]));
        }
        canvas.setToolTipText(tip.toString());
    }

    // ---------------------------------------------------------------- what the part shows (for tests)

    /** The sites of the loaded dataset. */
    public List<SiteRow> sites() {
        if (loaded == null) {
            return List.of();
        }
        return loaded.dataset().sites().stream().map(s -> new SiteRow(s.siteId(), s.train().size(),
                s.validation().size(), s.test().size())).toList();
    }

    /** The site whose samples are listed, or null. */
    public String site() {
        return site;
    }

    /** The listed samples with their metrics, in table order. */
    public List<SampleRow> samples() {
        return rows();
    }

    /** The shown sample's prediction, or null. */
    public SamplePrediction prediction() {
        return prediction;
    }

    /** The overlay drawn for the shown sample at its resolution, or null. */
    public ImageData overlay() {
        return overlay;
    }

    /** Where the overlay is drawn on the canvas. */
    public Rectangle drawnArea() {
        return drawn;
    }

    /** The round whose model is shown (0: the initial model), or -1 when nothing is loaded. */
    public int round() {
        return loaded == null ? -1 : loaded.round();
    }

    /** Whether loading, evaluation or prediction is under way. */
    public boolean busy() {
        return running(loadJob) || running(evaluateJob) || running(predictJob);
    }

    private static boolean running(Job job) {
        return job != null && job.getState() != Job.NONE;
    }

    public String statusText() {
        return status.getText();
    }

    public String sampleText() {
        return sampleLabel.getText();
    }

    public Button truthToggle() {
        return truthToggle;
    }

    public Button predictionToggle() {
        return predictionToggle;
    }

    public Scale opacity() {
        return opacity;
    }

    public Canvas canvas() {
        return canvas;
    }

    public Table samplesTable() {
        return samplesTable;
    }

    /** Sets an overlay option as the user would, and redraws. */
    public void setStyle(boolean truth, boolean predicted, int opacityPercent) {
        truthToggle.setSelection(truth);
        predictionToggle.setSelection(predicted);
        opacity.setSelection(opacityPercent);
        redrawOverlay();
    }

    @Focus
    public void focus() {
        samplesTable.setFocus();
    }

    @PreDestroy
    public void dispose() {
        generation++;
        cancel(loadJob);
        cancel(evaluateJob);
        cancel(predictJob);
        if (overlayImage != null) {
            overlayImage.dispose();
        }
        if (truthColour != null) {
            truthColour.dispose();
            predictionColour.dispose();
        }
        if (exporters != null) {
            exporters.close();
        }
        if (federation != null) {
            federation.close();
        }
    }
}
