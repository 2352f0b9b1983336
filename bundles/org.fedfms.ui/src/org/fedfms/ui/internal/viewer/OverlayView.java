package org.fedfms.ui.internal.viewer;

import java.util.Locale;
import java.util.function.BooleanSupplier;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.fedfms.api.train.SamplePrediction;
import org.fedfms.ui.internal.charts.LineChart;
import org.fedfms.ui.internal.forms.WidgetName;

/**
 * The shown sample: the ground-truth and prediction toggles, the opacity of the prediction fill, a line
 * with the sample's metrics, and the canvas that draws the {@link SegmentationOverlay} scaled to fit, with
 * a legend and the pixel under the mouse as a tooltip. The canvas carries what it draws as widget data:
 * {@value #OVERLAY} the overlay at the sample's resolution (null when none), {@value #DRAWN} where on the
 * canvas it is drawn.
 */
public final class OverlayView {

    /** Canvas data key: the overlay ({@link ImageData}) drawn. */
    public static final String OVERLAY = "fedfms.overlay";
    /** Canvas data key: the area ({@link Rectangle}) the overlay is drawn in. */
    public static final String DRAWN = "fedfms.drawn";

    private final Button truthToggle;
    private final Button predictionToggle;
    private final Scale opacity;
    private final Label sampleLabel;
    private final Canvas canvas;
    private final Color truthColour;
    private final Color predictionColour;
    private final BooleanSupplier experimentShown;
    private SamplePrediction prediction;
    private ImageData overlay;
    private Image overlayImage;
    private Rectangle drawn = new Rectangle(0, 0, 0, 0);

    /** Builds the controls and the canvas in {@code parent}; {@code experimentShown} picks the empty canvas's text. */
    public OverlayView(Composite parent, BooleanSupplier experimentShown) {
        this.experimentShown = experimentShown;
        Composite right = new Composite(parent, SWT.NONE);
        GridLayout rightLayout = new GridLayout(4, false);
        rightLayout.marginWidth = 0;
        right.setLayout(rightLayout);
        truthToggle = toggle(right, "Ground truth", "Outline the ground truth (green; yellow, cyan for further labels)");
        predictionToggle = toggle(right, "Prediction", "Fill the prediction (red; magenta, orange for further labels)");
        new Label(right, SWT.NONE).setText("Opacity:");
        opacity = new Scale(right, SWT.HORIZONTAL);
        WidgetName.set(opacity, "opacity");
        opacity.setMinimum(0);
        opacity.setMaximum(100);
        opacity.setIncrement(5);
        opacity.setPageIncrement(10);
        opacity.setSelection(Math.round(SegmentationOverlay.Style.DEFAULT.alpha() * 100f / 255));
        opacity.setToolTipText("Opacity of the prediction fill");
        GridData opacityData = new GridData(SWT.BEGINNING, SWT.CENTER, false, false);
        opacityData.widthHint = 120;
        opacityData.grabExcessHorizontalSpace = true;
        opacity.setLayoutData(opacityData);
        opacity.addListener(SWT.Selection, e -> redraw());
        sampleLabel = new Label(right, SWT.NONE);
        WidgetName.set(sampleLabel, "sample");
        sampleLabel.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 4, 1));
        canvas = new Canvas(right, SWT.DOUBLE_BUFFERED | SWT.BORDER);
        WidgetName.set(canvas, "canvas");
        canvas.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 4, 1));
        canvas.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WIDGET_BACKGROUND));
        canvas.addPaintListener(e -> paint(e.gc));
        canvas.addListener(SWT.MouseMove, e -> hover(e.x, e.y));
        truthColour = new Color(SegmentationOverlay.rgb(SegmentationOverlay.TRUTH_COLOURS[0]));
        predictionColour = new Color(SegmentationOverlay.rgb(SegmentationOverlay.PREDICTION_COLOURS[0]));
    }

    private Button toggle(Composite parent, String text, String tip) {
        Button b = new Button(parent, SWT.CHECK);
        WidgetName.set(b, text.toLowerCase(Locale.ROOT).replace(' ', '-'));
        b.setText(text);
        b.setToolTipText(tip);
        b.setSelection(true);
        b.addListener(SWT.Selection, e -> redraw());
        return b;
    }

    /** The canvas. */
    public Canvas canvas() {
        return canvas;
    }

    /** The id of the sample shown, or null. */
    public String sampleId() {
        return prediction == null ? null : prediction.sampleId();
    }

    /** Says something about the sample in its line. */
    public void say(String text) {
        sampleLabel.setText(text);
    }

    /** Shows a sample's prediction with its metrics. */
    public void show(SamplePrediction p) {
        prediction = p;
        var m = p.metrics();
        sampleLabel.setText(p.siteId() + " / " + p.sampleId() + ": Dice "
                + LineChart.format(SampleTables.value(m, "dice")) + ", IoU " + LineChart.format(SampleTables.value(m, "iou")) + ", HD95 "
                + LineChart.format(SampleTables.value(m, "hd95")) + (m.metrics().values().containsKey("loss")
                        ? ", loss " + LineChart.format(SampleTables.value(m, "loss")) : ""));
        sampleLabel.getParent().layout();
        redraw();
    }

    /** Shows no sample. */
    public void clear() {
        prediction = null;
        sampleLabel.setText("");
        redraw();
    }

    private SegmentationOverlay.Style style() {
        return new SegmentationOverlay.Style(truthToggle.getSelection(), predictionToggle.getSelection(),
                Math.round(opacity.getSelection() * 255f / 100));
    }

    private void redraw() {
        if (overlayImage != null) {
            overlayImage.dispose();
            overlayImage = null;
        }
        overlay = prediction == null ? null
                : SegmentationOverlay.render(prediction.image(), prediction.predicted(), style());
        if (overlay != null) {
            overlayImage = new Image(canvas.getDisplay(), overlay);
        }
        canvas.setData(OVERLAY, overlay);
        canvas.redraw();
    }

    private void paint(GC gc) {
        Rectangle area = canvas.getClientArea();
        int legend = gc.getFontMetrics().getHeight() + 8;
        if (overlayImage == null) {
            setDrawn(new Rectangle(0, 0, 0, 0));
            gc.drawText(experimentShown.getAsBoolean() ? "No sample shown." : "No experiment loaded.", 8, 8, true);
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
        setDrawn(new Rectangle(8 + (area.width - 16 - sw) / 2, 8, sw, sh));
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

    private void setDrawn(Rectangle area) {
        drawn = area;
        canvas.setData(DRAWN, area);
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

    /** Frees the image and colours. */
    public void dispose() {
        if (overlayImage != null) {
            overlayImage.dispose();
        }
        truthColour.dispose();
        predictionColour.dispose();
    }
}
