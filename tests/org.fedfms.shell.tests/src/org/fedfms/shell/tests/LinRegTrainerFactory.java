package org.fedfms.shell.tests;

import java.util.Random;

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
 * Test fixture: per-site linear regression {@code y = w·x + b} with two inputs, trained by mini-batch
 * gradient descent on the mean squared error; each site draws its inputs around its own centre from a
 * generator seeded by the site id and the experiment seed. Evaluation reports {@code mse}. Trainer
 * options: {@code fitDelayMillis} slows each fit (checking for cancellation), {@code failSite} names a
 * site whose fits fail.
 */
final class LinRegTrainerFactory implements SiteTrainerFactory {

    static final String ID = "linreg";
    private static final double[] TRUE_W = {1.5, -0.5};
    private static final double TRUE_B = 0.25;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "shell test fixture: linear regression by gradient descent";
    }

    @Override
    public SiteTrainer create(TrainerSpec spec, SiteData site) {
        return new LinRegTrainer(spec, site);
    }

    private static final class LinRegTrainer implements SiteTrainer {
        private final TrainerSpec spec;
        private final String siteId;
        private final double[][][] x = new double[3][][];
        private final double[][] y = new double[3][];

        LinRegTrainer(TrainerSpec spec, SiteData site) {
            this.spec = spec;
            this.siteId = site.siteId();
            Random rng = new Random(spec.seed() * 1_000_003L + siteId.hashCode());
            double[] centre = {rng.nextGaussian(), rng.nextGaussian()};
            for (DataSplit split : DataSplit.values()) {
                int n = site.split(split).size();
                double[][] xs = new double[n][2];
                double[] ys = new double[n];
                for (int i = 0; i < n; i++) {
                    xs[i][0] = centre[0] + rng.nextGaussian();
                    xs[i][1] = centre[1] + rng.nextGaussian();
                    ys[i] = TRUE_W[0] * xs[i][0] + TRUE_W[1] * xs[i][1] + TRUE_B + 0.05 * rng.nextGaussian();
                }
                x[split.ordinal()] = xs;
                y[split.ordinal()] = ys;
            }
        }

        @Override
        public String siteId() {
            return siteId;
        }

        @Override
        public ParameterSet initialParameters() {
            return ParameterSet.builder().add("linear.weight", new int[] {1, 2}, new float[2])
                    .add("linear.bias", new int[] {1}, new float[1]).build();
        }

        @Override
        public FitResult fit(int round, ParameterSet global, FitInstructions instructions, TrainingMonitor monitor)
                throws Exception {
            long delay = ((Number) spec.options().getOrDefault("fitDelayMillis", 0L)).longValue();
            for (long waited = 0; waited < delay; waited += 10) {
                if (monitor.isCancelled()) {
                    throw new InterruptedException("site " + siteId + ": cancelled");
                }
                Thread.sleep(10);
            }
            if (siteId.equals(spec.options().get("failSite"))) {
                throw new IllegalStateException("site " + siteId + ": simulated failure in round " + round);
            }
            double[] w = {global.get("linear.weight").values()[0], global.get("linear.weight").values()[1]};
            double b = global.get("linear.bias").values()[0];
            double[][] xs = x[DataSplit.TRAIN.ordinal()];
            double[] ys = y[DataSplit.TRAIN.ordinal()];
            for (int epoch = 0; epoch < spec.localEpochs(); epoch++) {
                for (int start = 0; start < xs.length; start += spec.batchSize()) {
                    int end = Math.min(xs.length, start + spec.batchSize());
                    double g0 = 0;
                    double g1 = 0;
                    double gb = 0;
                    for (int i = start; i < end; i++) {
                        double err = w[0] * xs[i][0] + w[1] * xs[i][1] + b - ys[i];
                        g0 += err * xs[i][0];
                        g1 += err * xs[i][1];
                        gb += err;
                    }
                    int m = end - start;
                    w[0] -= spec.learningRate() * g0 / m;
                    w[1] -= spec.learningRate() * g1 / m;
                    b -= spec.learningRate() * gb / m;
                }
            }
            ParameterSet out = ParameterSet.builder()
                    .add("linear.weight", new int[] {1, 2}, new float[] {(float) w[0], (float) w[1]})
                    .add("linear.bias", new int[] {1}, new float[] {(float) b}).build();
            return new FitResult(siteId, out, xs.length, Metrics.of("loss", mse(out, DataSplit.TRAIN)));
        }

        @Override
        public EvaluateResult evaluate(int round, ParameterSet global, DataSplit split, TrainingMonitor monitor) {
            return new EvaluateResult(siteId, x[split.ordinal()].length, Metrics.of("mse", mse(global, split)));
        }

        private double mse(ParameterSet p, DataSplit split) {
            float[] w = p.get("linear.weight").values();
            float b = p.get("linear.bias").values()[0];
            double[][] xs = x[split.ordinal()];
            double[] ys = y[split.ordinal()];
            double s = 0;
            for (int i = 0; i < xs.length; i++) {
                double e = w[0] * xs[i][0] + w[1] * xs[i][1] + b - ys[i];
                s += e * e;
            }
            return xs.length == 0 ? Double.NaN : s / xs.length;
        }

        @Override
        public void close() {
        }
    }
}
