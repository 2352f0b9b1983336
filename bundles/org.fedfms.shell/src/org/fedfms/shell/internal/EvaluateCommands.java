package org.fedfms.shell.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.fedfms.api.data.FolderEvaluator;
import org.fedfms.api.data.LabelScores;
import org.fedfms.shell.Table;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code fedfms:evaluate}: scores a folder of predicted label volumes against ground truth, per case. */
@Component(service = CommandSet.class, property = {
    "osgi.command.scope=fedfms",
    "osgi.command.function=evaluate"})
@Descriptor("evaluation of predicted label volumes against ground truth")
public class EvaluateCommands implements CommandSet {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile FolderEvaluator evaluator;

    @Descriptor("score a folder of predicted label files (.nii.gz, .nii, .png) against the label files of the same "
            + "names, like nnU-Net's folder evaluation: Dice, IoU, HD95 and ASSD in mm (from the labels' voxel "
            + "spacing) per case and label, then the mean per label over the cases where it is present (a label "
            + "absent from both files of a case scores NaN there and is counted, not averaged)")
    public Table evaluate(
            @Descriptor("write one record per case and label (case = file name, label = integer value, dice, iou, "
                    + "hd95_mm, assd_mm) and the means per label as JSON to this file")
            @Parameter(names = {"-j", "--json"}, absentValue = "") String json,
            @Descriptor("labels to score, comma-separated integer values (default: every non-zero value found in "
                    + "either folder)")
            @Parameter(names = {"-l", "--labels"}, absentValue = "") String labels,
            @Descriptor("folder of predicted label files") String predictions,
            @Descriptor("folder of ground-truth label files with the same names") String truth) throws IOException {
        FolderEvaluator folders = evaluator;
        if (folders == null) {
            throw new IllegalStateException("no folder evaluator is present (bundle org.fedfms.data provides it and "
                    + "is not started; 'lb fedfms' lists the FedFMS bundles)");
        }
        FolderEvaluator.Result r = folders.evaluate(Path.of(predictions), Path.of(truth), parse(labels));
        if (!json.isEmpty()) {
            folders.writeJson(r, Path.of(json));
        }
        List<List<String>> rows = new ArrayList<>();
        for (FolderEvaluator.CaseRecord c : r.records()) {
            LabelScores s = c.scores();
            rows.add(List.of(c.caseName(), Integer.toString(s.label()), num(s.dice()), num(s.iou()), num(s.hd95Mm()),
                    num(s.assdMm())));
        }
        StringBuilder title = new StringBuilder(String.format(Locale.ROOT, "%d cases of %s against %s",
                r.records().stream().map(FolderEvaluator.CaseRecord::caseName).distinct().count(), predictions, truth));
        for (FolderEvaluator.LabelMean m : r.means()) {
            title.append(String.format(Locale.ROOT, "%nlabel %d: mean dice %s, iou %s, hd95 %s mm, assd %s mm over %d "
                    + "cases (%d absent from both, left out)", m.label(), num(m.dice()), num(m.iou()), num(m.hd95Mm()),
                    num(m.assdMm()), m.scored(), m.absent()));
        }
        if (!json.isEmpty()) {
            title.append(System.lineSeparator()).append("written to ").append(json);
        }
        return new Table(title.toString(), List.of("case", "label", "dice", "iou", "hd95_mm", "assd_mm"), rows);
    }

    private static List<Integer> parse(String labels) {
        List<Integer> l = new ArrayList<>();
        for (String part : labels.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                l.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--labels '" + labels + "': '" + part.trim()
                        + "' is not an integer label value");
            }
        }
        return l;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.4f", v);
    }
}
