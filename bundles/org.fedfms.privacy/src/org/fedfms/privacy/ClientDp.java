package org.fedfms.privacy;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Client-side differential privacy of an experiment, as written in a spec ({@code clientDp}) and the
 * shell ({@code --client-dp}): {@code clip=C,noise=σ,delta=δ[,budget=ε]}. Each site clips its update
 * (trained minus global, L2 over every tensor that travels) to norm C and adds Gaussian noise of
 * standard deviation σ·C to every value before the update leaves the site; the coordinator accounts
 * ε at δ after each round and, with a budget, stops before a round that would spend more than ε.
 *
 * @param clip      clipping norm C, &gt; 0
 * @param noise     noise multiplier σ, &gt; 0
 * @param delta     δ of the reported (ε, δ), in (0, 1)
 * @param budget    largest ε the experiment may reach; 0 for no budget
 */
public record ClientDp(double clip, double noise, double delta, double budget) {

    /** Name of the fit instruction that asks a site for client DP, its value {@link #text()}. */
    public static final String INSTRUCTION = "clientDp";
    /** Name of the round metric that holds ε at δ after the round. */
    public static final String EPSILON_METRIC = "dp_epsilon";
    /** Name of the round metric that holds the δ of {@link #EPSILON_METRIC}. */
    public static final String DELTA_METRIC = "dp_delta";
    /** Name of the round metric that holds the round's sampling rate q, as the accountant took it. */
    public static final String SAMPLING_RATE_METRIC = "dp_q";

    public ClientDp {
        require(clip > 0 && Double.isFinite(clip), "clip must be a number > 0, got " + clip);
        require(noise > 0 && Double.isFinite(noise), "noise must be a number > 0, got " + noise);
        require(delta > 0 && delta < 1, "delta must be in (0, 1), got " + delta);
        require(budget >= 0 && Double.isFinite(budget), "budget must be a number > 0 (or left out), got " + budget);
    }

    /**
     * The setting in {@code text}, {@code clip=C,noise=σ,delta=δ[,budget=ε]} in any order.
     *
     * @throws IllegalArgumentException naming what is missing, unknown or out of range
     */
    public static ClientDp parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("expected clip=C,noise=SIGMA,delta=DELTA[,budget=EPSILON], found "
                    + "nothing");
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part.strip() : part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (eq < 0 || !(key.equals("clip") || key.equals("noise") || key.equals("delta") || key.equals("budget"))) {
                throw new IllegalArgumentException("'" + part.strip() + "' is not one of clip=C, noise=SIGMA, "
                        + "delta=DELTA, budget=EPSILON");
            }
            String value = part.substring(eq + 1).strip();
            try {
                if (values.put(key, Double.parseDouble(value)) != null) {
                    throw new IllegalArgumentException("'" + key + "' is given twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + key + "' must be a number, found '" + value + "'");
            }
        }
        for (String needed : new String[] { "clip", "noise", "delta" }) {
            if (!values.containsKey(needed)) {
                throw new IllegalArgumentException("'" + needed + "' is missing (clip=C,noise=SIGMA,delta=DELTA"
                        + "[,budget=EPSILON])");
            }
        }
        return new ClientDp(values.get("clip"), values.get("noise"), values.get("delta"),
                values.getOrDefault("budget", 0.0));
    }

    /** Whether an ε budget is set. */
    public boolean hasBudget() {
        return budget > 0;
    }

    /** The standard deviation of the noise each site adds to each value: σ·C. */
    public double noiseStddev() {
        return noise * clip;
    }

    /** The setting as {@link #parse} reads it. */
    public String text() {
        return "clip=" + number(clip) + ",noise=" + number(noise) + ",delta=" + number(delta)
                + (hasBudget() ? ",budget=" + number(budget) : "");
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
