package org.fedfms.federation.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainingMonitor;
import org.fedfms.federation.CrossSiteEvaluation;
import org.fedfms.federation.FederationException;

/**
 * Computes a {@link CrossSiteEvaluation}: for each site's data one trainer of the experiment's factory
 * evaluates every model on it, as the rounds evaluate the global model.
 */
final class CrossEvaluation {

    private CrossEvaluation() {
    }

    static CrossSiteEvaluation run(Inspection in, SiteTrainerFactory factory, TrainingMonitor monitor)
            throws Exception {
        String where = "experiment '" + in.experiment() + "'";
        if (factory == null) {
            throw new FederationException(where + ": trainer factory '" + in.spec().trainer() + "' is not present "
                    + "here; start its bundle to cross-evaluate");
        }
        List<SiteData> sites = in.sites(List.of());
        Map<String, ParameterSet> models = new LinkedHashMap<>();
        Map<String, Integer> rounds = new LinkedHashMap<>();
        models.put(CrossSiteEvaluation.GLOBAL, in.global());
        rounds.put(CrossSiteEvaluation.GLOBAL, in.round());
        for (SiteData s : sites) {
            ParameterSet p = in.fittedParameters(s.siteId());
            if (p != null) {
                models.put(s.siteId(), p);
                rounds.put(s.siteId(), in.fittedRound(s.siteId()));
            }
        }
        Map<String, List<EvaluateResult>> results = new LinkedHashMap<>();
        models.keySet().forEach(m -> results.put(m, new ArrayList<>()));
        for (SiteData s : sites) {
            SiteTrainer trainer;
            try {
                trainer = factory.create(in.spec().trainerSpec(), s);
            } catch (Exception x) {
                throw new FederationException(where + ": trainer factory '" + factory.id() + "' cannot create a "
                        + "trainer for site '" + s.siteId() + "': " + RoundMessages.describe(x), x);
            }
            try (trainer) {
                for (Map.Entry<String, ParameterSet> m : models.entrySet()) {
                    if (monitor.isCancelled()) {
                        throw new InterruptedException(where + ": cross-site evaluation was cancelled");
                    }
                    results.get(m.getKey()).add(trainer.evaluate(in.round(), m.getValue(),
                            in.evaluatedSplit(s.siteId()), monitor));
                }
            }
        }
        String metric = metric(results);
        List<CrossSiteEvaluation.Row> rows = new ArrayList<>();
        results.forEach((m, list) -> {
            List<Double> values = new ArrayList<>();
            for (EvaluateResult r : list) {
                values.add(r == null || r.sampleCount() == 0 ? Double.NaN : r.metrics().get(metric).orElse(Double.NaN));
            }
            rows.add(new CrossSiteEvaluation.Row(m, rounds.get(m), values, mean(values)));
        });
        return new CrossSiteEvaluation(in.experiment(), in.round(), metric, sites.stream().map(SiteData::siteId)
                .toList(), rows);
    }

    /** {@code dice} if a result has it, else the first metric of the first result that has any. */
    private static String metric(Map<String, List<EvaluateResult>> results) {
        String first = null;
        for (List<EvaluateResult> list : results.values()) {
            for (EvaluateResult r : list) {
                if (r != null && r.metrics().get("dice").isPresent()) {
                    return "dice";
                }
                if (first == null && r != null && !r.metrics().values().isEmpty()) {
                    first = r.metrics().values().keySet().iterator().next();
                }
            }
        }
        return first == null ? "dice" : first;
    }

    private static double mean(List<Double> values) {
        double sum = 0;
        int n = 0;
        for (double v : values) {
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
