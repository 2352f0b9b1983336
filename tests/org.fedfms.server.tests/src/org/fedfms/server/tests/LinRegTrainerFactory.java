package org.fedfms.server.tests;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.data.DataSplit;
import org.fedfms.api.data.SiteData;
import org.fedfms.api.strategy.EvaluateResult;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.train.SiteTrainer;
import org.fedfms.api.train.SiteTrainerFactory;
import org.fedfms.api.train.TrainerSpec;
import org.fedfms.api.train.TrainingMonitor;

/**
 * Test fixture: per-site linear regression {@code y = w·x + b}. Every site shares the true model
 * ({@link #TRUE_W}, {@link #TRUE_B}) but draws its inputs around a site-specific centre, from a generator
 * seeded by the site id and the experiment seed. Mini-batch gradient descent on the mean squared error,
 * plus the proximal term {@code mu/2·|θ − θ_global|²} when the fit instructions carry {@code mu}. Fits are
 * functions of (global, round, site, seed), so resumed runs repeat them exactly.
 *
 * <p>Trainer options simulate faulty sites: {@code failSite}, {@code slowSite} (sleeps {@code slowMillis}),
 * {@code nanSite}, {@code shapeSite} name a site id or {@code *}; {@code fitDelayMillis} slows every fit.
 */
public final class LinRegTrainerFactory implements SiteTrainerFactory {

    static final String ID = "linreg";
    static final float[] TRUE_W = {1.0f, -2.0f, 0.5f};
    static final float TRUE_B = 0.3f;

    /** Fit instructions received, by site id (the latest per site). */
    private final Map<String, FitInstructions> instructionsSeen = new ConcurrentHashMap<>();
    private final String id;

    LinRegTrainerFactory(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return "test fixture: linear regression by gradient descent";
    }

    @Override
    public SiteTrainer create(TrainerSpec spec, SiteData site) {
        return new LinRegTrainer(spec, site);
    }

    Map<String, FitInstructions> instructionsSeen() {
        return instructionsSeen;
    }

    private final class LinRegTrainer implements SiteTrainer {
        private final TrainerSpec spec;
        private final SiteData site;
        private final double[][] trainX;
        private final double[] trainY;
        private final double[][] valX;
        private final double[] valY;
        private final double[][] testX;
        private final double[] testY;

        LinRegTrainer(TrainerSpec spec, SiteData site) {
            this.spec = spec;
            this.site = site;
            long siteSeed = spec.seed() * 1_000_003L + site.siteId().hashCode();
            Random centres = new Random(siteSeed);
            double[] centre = new double[TRUE_W.length];
            for (int j = 0; j < centre.length; j++) {
                centre[j] = centres.nextGaussian();
            }
            trainX = inputs(site.train().size(), centre, new Random(siteSeed + 1));
            trainY = labels(trainX, new Random(siteSeed + 2));
            valX = inputs(site.validation().size(), centre, new Random(siteSeed + 3));
            valY = labels(valX, new Random(siteSeed + 4));
            testX = inputs(site.test().size(), centre, new Random(siteSeed + 5));
            testY = labels(testX, new Random(siteSeed + 6));
        }

        private double[][] inputs(int n, double[] centre, Random rng) {
            double[][] x = new double[n][centre.length];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < centre.length; j++) {
                    x[i][j] = centre[j] + rng.nextGaussian();
                }
            }
            return x;
        }

        private double[] labels(double[][] x, Random rng) {
            double noise = ((Number) spec.options().getOrDefault("noise", 0.05)).doubleValue();
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double v = TRUE_B;
                for (int j = 0; j < TRUE_W.length; j++) {
                    v += TRUE_W[j] * x[i][j];
                }
                y[i] = v + noise * rng.nextGaussian();
            }
            return y;
        }

        @Override
        public String siteId() {
            return site.siteId();
        }

        @Override
        public ParameterSet initialParameters() {
            return ParameterSet.builder()
                    .add("linear.weight", new int[] {1, TRUE_W.length}, new float[TRUE_W.length])
                    .add("linear.bias", new int[] {1}, new float[1])
                    .build();
        }

        private boolean faulty(String option) {
            Object v = spec.options().get(option);
            return v != null && (v.equals("*") || List.of(v.toString().split(",")).contains(site.siteId()));
        }

        @Override
        public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
                throws Exception {
            instructionsSeen.put(site.siteId(), instructions);
            long delay = ((Number) spec.options().getOrDefault("fitDelayMillis", 0)).longValue();
            if (delay > 0) {
                Thread.sleep(delay);
            }
            if (faulty("failSite")) {
                throw new IllegalStateException("site " + site.siteId() + ": simulated failure in round " + round);
            }
            if (faulty("slowSite")) {
                Thread.sleep(((Number) spec.options().getOrDefault("slowMillis", 30_000)).longValue());
            }
            float[] w0 = global.get("linear.weight").values();
            float b0 = global.get("linear.bias").values()[0];
            double[] w = new double[w0.length];
            for (int j = 0; j < w.length; j++) {
                w[j] = w0[j];
            }
            double b = b0;
            double mu = instructions.getDouble(FitInstructions.PROXIMAL_MU, 0);
            int n = trainX.length;
            int batch = spec.batchSize();
            Random shuffle = new Random(spec.seed() * 31 + round * 1_000_033L + site.siteId().hashCode());
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            for (int epoch = 0; epoch < spec.localEpochs(); epoch++) {
                for (int i = n - 1; i > 0; i--) {
                    int k = shuffle.nextInt(i + 1);
                    int t = order[i];
                    order[i] = order[k];
                    order[k] = t;
                }
                for (int start = 0; start < n; start += batch) {
                    if (monitor.isCancelled()) {
                        throw new InterruptedException("site " + site.siteId() + ": cancelled");
                    }
                    int end = Math.min(n, start + batch);
                    double[] gw = new double[w.length];
                    double gb = 0;
                    for (int q = start; q < end; q++) {
                        int i = order[q];
                        double err = predict(w, b, trainX[i]) - trainY[i];
                        for (int j = 0; j < w.length; j++) {
                            gw[j] += err * trainX[i][j];
                        }
                        gb += err;
                    }
                    int m = end - start;
                    for (int j = 0; j < w.length; j++) {
                        w[j] -= spec.learningRate() * (gw[j] / m + mu * (w[j] - w0[j]));
                    }
                    b -= spec.learningRate() * (gb / m + mu * (b - b0));
                }
            }
            float[] wf = new float[w.length];
            for (int j = 0; j < w.length; j++) {
                wf[j] = (float) w[j];
            }
            if (faulty("nanSite")) {
                wf[1] = Float.NaN;
            }
            ParameterSet.Builder out = ParameterSet.builder();
            if (faulty("shapeSite")) {
                out.add("linear.weight", new int[] {w.length, 1}, wf);
            } else {
                out.add("linear.weight", new int[] {1, w.length}, wf);
            }
            out.add("linear.bias", new int[] {1}, new float[] {(float) b});
            return new FitResult(site.siteId(), out.build(), n, Metrics.of("loss", mse(w, b, trainX, trainY)));
        }

        @Override
        public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor) {
            float[] wf = global.get("linear.weight").values();
            double[] w = new double[wf.length];
            for (int j = 0; j < w.length; j++) {
                w[j] = wf[j];
            }
            double b = global.get("linear.bias").values()[0];
            double[][] x = split == DataSplit.TEST ? testX : split == DataSplit.VALIDATION ? valX : trainX;
            double[] y = split == DataSplit.TEST ? testY : split == DataSplit.VALIDATION ? valY : trainY;
            return new EvaluateResult(site.siteId(), x.length, Metrics.of("mse", mse(w, b, x, y)));
        }

        private double predict(double[] w, double b, double[] x) {
            double v = b;
            for (int j = 0; j < w.length; j++) {
                v += w[j] * x[j];
            }
            return v;
        }

        private double mse(double[] w, double b, double[][] x, double[] y) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                double e = predict(w, b, x[i]) - y[i];
                s += e * e;
            }
            return x.length == 0 ? Double.NaN : s / x.length;
        }

        @Override
        public void close() {
        }
    }
}
