package org.fedfms.federation;

import java.util.List;

/**
 * Cross-site evaluation of an experiment (as in NVIDIA FLARE): the global model and every site's own model
 * (the parameters it fitted in the last round it trained; a local-only site's model) scored on every site's
 * evaluated split (validation; test for the unseen site of leave-one-site-out).
 *
 * @param experiment the experiment's name
 * @param round the rounds completed when the models were taken
 * @param metric the metric in the matrix: {@code dice} for segmentation trainers, else the first metric the
 *        trainer reports
 * @param sites the columns: the sites whose data is scored, in the dataset's order
 * @param rows the models: {@link #GLOBAL} first, then one per site that has a model of its own
 */
public record CrossSiteEvaluation(String experiment, int round, String metric, List<String> sites, List<Row> rows) {

    /** The model name of the global model's row. */
    public static final String GLOBAL = "global";

    public CrossSiteEvaluation {
        sites = List.copyOf(sites);
        rows = List.copyOf(rows);
    }

    /**
     * One model scored on every site's data.
     *
     * @param model {@link #GLOBAL} or the id of the site whose model it is
     * @param fittedRound the round the site fitted its model in; the experiment's round for the global model
     * @param values the metric on each site's data, in the order of {@link CrossSiteEvaluation#sites()}; NaN where the
     *        site has no samples in the split
     * @param mean the mean of the finite {@code values}, unweighted over the sites; NaN if none
     */
    public record Row(String model, int fittedRound, List<Double> values, double mean) {

        public Row {
            values = List.copyOf(values);
        }
    }

    /** The metric of {@code model} on {@code site}'s data; NaN if either is not in the matrix. */
    public double value(String model, String site) {
        int column = sites.indexOf(site);
        for (Row r : rows) {
            if (r.model().equals(model) && column >= 0) {
                return r.values().get(column);
            }
        }
        return Double.NaN;
    }
}
