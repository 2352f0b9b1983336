package org.fedfms.privacy.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;

import org.fedfms.api.Metrics;
import org.fedfms.api.ParameterSet;
import org.fedfms.api.Tensor;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.privacy.ClientDp;
import org.fedfms.privacy.ClientDpMechanism;
import org.junit.jupiter.api.Test;

class ClientDpMechanismTest {

    private static ParameterSet set(long seed, int a, int b, double spread) {
        Random r = new Random(seed);
        float[] x = new float[a];
        float[] y = new float[b];
        for (int i = 0; i < a; i++) {
            x[i] = (float) (r.nextGaussian() * spread);
        }
        for (int i = 0; i < b; i++) {
            y[i] = (float) (r.nextGaussian() * spread);
        }
        return ParameterSet.builder().add("enc.adapter.w", new int[] { a }, x).add("dec.w", new int[] { b }, y).build();
    }

    private static double[] difference(ParameterSet x, ParameterSet y) {
        int n = (int) x.parameterCount();
        double[] d = new double[n];
        int k = 0;
        for (Tensor t : x.tensors()) {
            float[] u = t.values();
            float[] v = y.get(t.name()).values();
            for (int i = 0; i < u.length; i++) {
                d[k++] = (double) u[i] - v[i];
            }
        }
        return d;
    }

    private static double norm(double[] d) {
        double s = 0;
        for (double v : d) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    @Test
    void clippingBoundsTheUpdateNormOverAllTensors() {
        ParameterSet global = set(1, 300, 200, 1.0);
        ParameterSet trained = set(2, 300, 200, 1.0); // the difference has norm about sqrt(2 * 500)
        // noise so small that what is left is the clipped difference (float rounding aside)
        ClientDpMechanism m = new ClientDpMechanism(new ClientDp(0.5, 1e-9, 1e-5, 0));
        ClientDpMechanism.Privatized p = m.privatize(trained, global);
        assertEquals(norm(difference(trained, global)), p.norm(), 1e-9 * p.norm());
        assertTrue(p.norm() > 20, "the test's update must be far above the clip: " + p.norm());
        assertEquals(0.5 / p.norm(), p.scale(), 1e-15);
        double clipped = norm(difference(p.parameters(), global));
        assertEquals(0.5, clipped, 1e-4);
        // the direction is kept: the privatized difference is the original one scaled
        double[] before = difference(trained, global);
        double[] after = difference(p.parameters(), global);
        for (int i = 0; i < before.length; i += 37) {
            assertEquals(before[i] * p.scale(), after[i], 1e-5);
        }
    }

    @Test
    void updatesWithinTheClipAreNotScaled() {
        ParameterSet global = set(1, 100, 100, 1.0);
        ParameterSet trained = global.copy();
        trained.get("dec.w").values()[3] += 0.25f;
        ClientDpMechanism.Privatized p = new ClientDpMechanism(new ClientDp(1.0, 1e-9, 1e-5, 0))
                .privatize(trained, global);
        assertEquals(1.0, p.scale());
        assertEquals(0.25, p.norm(), 1e-6);
        assertEquals(0.25, norm(difference(p.parameters(), global)), 1e-5);
    }

    /**
     * The noise of each value is N(0, (σC)²): over 400,000 values its mean lies within 5 standard errors
     * of 0 and its standard deviation within 1 % of σ·C (both about 6 standard errors: failing by chance
     * has odds below one in a million); neighbouring values are uncorrelated.
     */
    @Test
    void noiseIsGaussianWithStandardDeviationSigmaTimesClip() {
        int n = 200_000;
        ParameterSet global = set(3, n, n, 0.1);
        ClientDp dp = new ClientDp(0.2, 1.5, 1e-5, 0);
        ParameterSet noised = new ClientDpMechanism(dp).privatize(global, global).parameters();
        double[] noise = difference(noised, global);
        double mean = 0;
        for (double v : noise) {
            mean += v;
        }
        mean /= noise.length;
        double var = 0;
        double lag = 0;
        double fourth = 0;
        for (int i = 0; i < noise.length; i++) {
            var += (noise[i] - mean) * (noise[i] - mean);
            fourth += Math.pow(noise[i] - mean, 4);
            if (i > 0) {
                lag += (noise[i] - mean) * (noise[i - 1] - mean);
            }
        }
        var /= noise.length - 1;
        double sd = Math.sqrt(var);
        double expected = 0.3;
        assertEquals(expected, dp.noiseStddev(), 1e-15);
        assertEquals(0, mean, 5 * expected / Math.sqrt(noise.length));
        assertEquals(expected, sd, 0.01 * expected);
        assertEquals(0, lag / noise.length / var, 5 / Math.sqrt(noise.length));
        // a Gaussian's kurtosis is 3 (a uniform's 1.8, a Laplace's 6)
        assertEquals(3.0, fourth / noise.length / (var * var), 0.05);
    }

    @Test
    void twoSitesGetIndependentNoise() {
        ParameterSet global = set(4, 1000, 1000, 1.0);
        ClientDp dp = new ClientDp(1, 1, 1e-5, 0);
        double[] a = difference(new ClientDpMechanism(dp).privatize(global, global).parameters(), global);
        double[] b = difference(new ClientDpMechanism(dp).privatize(global, global).parameters(), global);
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        assertEquals(0, dot / a.length, 5 / Math.sqrt(a.length));
    }

    @Test
    void fitResultsAreTouchedOnlyWhenTheInstructionAsksForIt() {
        ParameterSet global = set(5, 50, 50, 1.0);
        ParameterSet trained = set(6, 50, 50, 1.0);
        FitResult r = new FitResult("site-a", trained, 12, Metrics.empty());
        assertSame(r, ClientDpMechanism.apply(r, global, FitInstructions.none()));
        FitResult p = ClientDpMechanism.apply(r, global, new FitInstructions(Map.of(ClientDp.INSTRUCTION,
                "clip=0.1,noise=0.000001,delta=1e-5")));
        assertEquals("site-a", p.siteId());
        assertEquals(12, p.sampleCount());
        assertEquals(0.1, norm(difference(p.parameters(), global)), 1e-4);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> ClientDpMechanism.apply(r,
                global, new FitInstructions(Map.of(ClientDp.INSTRUCTION, "clip=0.1"))));
        assertTrue(bad.getMessage().contains("site site-a") && bad.getMessage().contains("noise"), bad.getMessage());
    }

    @Test
    void updatesThatDoNotFitTheGlobalAreRefused() {
        ParameterSet global = set(5, 50, 50, 1.0);
        ParameterSet other = ParameterSet.builder().add("extra", new int[] { 2 }, new float[2]).build();
        ClientDpMechanism m = new ClientDpMechanism(new ClientDp(1, 1, 1e-5, 0));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> m.privatize(other, global));
        assertTrue(missing.getMessage().contains("'extra'"), missing.getMessage());
        ParameterSet nan = global.copy();
        nan.get("dec.w").values()[7] = Float.NaN;
        IllegalArgumentException nonFinite = assertThrows(IllegalArgumentException.class, () -> m.privatize(nan, global));
        assertTrue(nonFinite.getMessage().contains("dec.w[7]"), nonFinite.getMessage());
    }

    @Test
    void settingsParseAndPrint() {
        ClientDp dp = ClientDp.parse(" noise=1.1, clip=0.5 ,delta=1e-5,budget=8");
        assertEquals(new ClientDp(0.5, 1.1, 1e-5, 8), dp);
        assertEquals("clip=0.5,noise=1.1,delta=1.0E-5,budget=8", dp.text());
        assertEquals(dp, ClientDp.parse(dp.text()));
        assertEquals(0, ClientDp.parse("clip=1,noise=1,delta=0.001").budget());
        for (String bad : new String[] { "", "clip=1,noise=1", "clip=1,noise=1,delta=2", "clip=-1,noise=1,delta=0.1",
                "clip=1,noise=x,delta=0.1", "clip=1,noise=1,delta=0.1,eps=3", "clip=1,clip=2,noise=1,delta=0.1",
                "clip=1,noise=0,delta=0.1" }) {
            assertThrows(IllegalArgumentException.class, () -> ClientDp.parse(bad), bad);
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ClientDp.parse("clip=1,noise=1,delta=0.1,eps=3"));
        assertTrue(unknown.getMessage().contains("'eps=3'"), unknown.getMessage());
    }
}
