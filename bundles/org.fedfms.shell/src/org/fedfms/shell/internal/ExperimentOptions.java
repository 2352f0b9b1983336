package org.fedfms.shell.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.strategy.PersonalModelSite;
import org.fedfms.api.settings.SettingsText;
import org.fedfms.federation.ExperimentSpec;
import org.fedfms.federation.ExperimentSpecBuilder;

/**
 * The options of {@code fedfms:experiment} turned into an {@link ExperimentSpec}: every problem is
 * collected and reported at once, naming the option as it was typed.
 */
final class ExperimentOptions {

    /** Spec component → the shell option that sets it, so that the spec's own problems name the option. */
    static final Map<String, String> OPTION_OF = options();

    private final List<String> problems = new ArrayList<>();
    private final ExperimentSpecBuilder builder;
    private final String subject;
    private Map<String, Object> trainerOptions = Map.of();

    ExperimentOptions(String name) {
        this.builder = ExperimentSpec.builder(name);
        this.subject = "experiment '" + name + "'";
    }

    private static Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", "--model");
        m.put("adapter", "--adapter");
        m.put("trainer", "--trainer");
        m.put("dataset", "--dataset");
        m.put("datasetSettings", "--data");
        m.put("strategy", "--strategy");
        m.put("strategySettings", "key=value");
        m.put("rounds", "--rounds");
        m.put("localEpochs", "--local-epochs");
        m.put("batchSize", "--batch");
        m.put("learningRate", "--lr");
        m.put("protocol", "--protocol");
        m.put("unseenSite", "--unseen-site");
        m.put("seed", "--seed");
        m.put("minSites", "--min-sites");
        m.put("fractionPerRound", "--fraction");
        m.put("roundDeadlineSeconds", "--deadline");
        m.put("device", "--device");
        m.put("patience", "--patience");
        m.put("weights", "--weights");
        m.put("encoding", "--encoding");
        m.put("trainerOptions", "--options");
        m.put("secureAggregation", "--secure-aggregation");
        m.put("clientDp", "--client-dp");
        m.put("localParameters", "--local-parameters");
        return m;
    }

    ExperimentSpecBuilder builder() {
        return builder;
    }

    /** Sets a text component when the option was given. */
    void text(String value, java.util.function.Consumer<String> set) {
        if (given(value)) {
            set.accept(value.trim());
        }
    }

    void integer(String option, String value, java.util.function.IntConsumer set) {
        if (given(value)) {
            try {
                set.accept(Integer.parseInt(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(option + ": '" + value + "' is not a whole number");
            }
        }
    }

    void longInteger(String option, String value, java.util.function.LongConsumer set) {
        if (given(value)) {
            try {
                set.accept(Long.parseLong(value.trim()));
            } catch (NumberFormatException e) {
                problems.add(option + ": '" + value + "' is not a whole number");
            }
        }
    }

    void decimal(String option, String value, java.util.function.DoubleConsumer set) {
        if (given(value)) {
            try {
                double d = Double.parseDouble(value.trim());
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                set.accept(d);
            } catch (NumberFormatException e) {
                problems.add(option + ": '" + value + "' is not a number");
            }
        }
    }

    void protocol(String value) {
        if (given(value)) {
            try {
                builder.protocol(ExperimentSpec.Protocol.parse(value));
            } catch (IllegalArgumentException e) {
                problems.add("--protocol: " + e.getMessage());
            }
        }
    }

    /**
     * {@code --data} settings and {@code --sites}: the loader's settings; an empty value leaves a setting
     * at its default (so scripts can pass {@code root=$root} with {@code root} unset).
     */
    void dataset(String data, String sites) {
        Map<String, Object> settings = new LinkedHashMap<>();
        if (given(data)) {
            settings.putAll(keyValues("--data", data, true));
        }
        if (given(sites)) {
            if (settings.containsKey("sites")) {
                problems.add("--sites " + sites + " and --data sites=" + settings.get("sites")
                        + " both set the number of sites; give it once");
            } else {
                try {
                    settings.put("sites", Long.parseLong(sites.trim()));
                } catch (NumberFormatException e) {
                    problems.add("--sites: '" + sites + "' is not a whole number");
                }
            }
        }
        builder.datasetSettings(settings);
    }

    /** {@code --options} settings: further trainer options. */
    void trainerOptions(String options) {
        if (given(options)) {
            trainerOptions = keyValues("--options", options, false);
            builder.trainerOptions(trainerOptions);
        }
    }

    /** {@code --ditto λ}: Ditto's trainer option {@value PersonalModelSite#OPTION}, beside {@code --options}. */
    void ditto(String lambda) {
        decimal("--ditto", lambda, v -> {
            if (v < 0) {
                problems.add("--ditto: '" + lambda + "' is below 0 (0: no personal models)");
            } else if (trainerOptions.containsKey(PersonalModelSite.OPTION)) {
                problems.add("--ditto " + lambda.trim() + " and --options " + PersonalModelSite.OPTION + "="
                        + trainerOptions.get(PersonalModelSite.OPTION) + " both set Ditto's lambda; give it once");
            } else {
                Map<String, Object> m = new LinkedHashMap<>(trainerOptions);
                m.put(PersonalModelSite.OPTION, v);
                trainerOptions = m;
                builder.trainerOptions(m);
            }
        });
    }

    /** The trailing {@code key=value} arguments: the strategy's settings. */
    void strategySettings(String[] keyValues) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (String kv : keyValues) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                problems.add("'" + kv + "' is neither an option nor a strategy setting of the form key=value");
                continue;
            }
            settings.put(kv.substring(0, eq).trim(), SettingsText.typed(kv.substring(eq + 1).trim()));
        }
        builder.strategySettings(settings);
    }

    static List<String> knownOptions() {
        List<String> list = new ArrayList<>();
        OPTION_OF.values().stream().filter(o -> o.startsWith("--")).forEach(list::add);
        list.add(4, "--sites");
        list.add("--ditto");
        list.add("--replace");
        return list;
    }

    /** {@code k=v,k=v} (or separated by spaces) as {@link SettingsText} reads it; problems name the option. */
    private Map<String, Object> keyValues(String option, String text, boolean dropEmpty) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            m.putAll(SettingsText.parse(option, text));
        } catch (SettingsException e) {
            e.problems().forEach(p -> problems.add(option + ": " + p));
        }
        if (dropEmpty) {
            m.values().removeIf(""::equals);
        }
        return m;
    }

    /**
     * The spec the options give, not yet validated (the federation does that when it creates the
     * experiment; {@link #named} then names the options in its problems).
     *
     * @throws SettingsException with every problem of the options themselves
     */
    ExperimentSpec build() {
        if (!problems.isEmpty()) {
            throw new SettingsException(subject, problems);
        }
        return builder.build();
    }

    /** The spec's problems as the options that set each component name them. */
    SettingsException named(SettingsException invalid) {
        return new SettingsException(subject, invalid.problems().stream().map(ExperimentOptions::withOption).toList());
    }

    /** A spec problem naming its component ({@code 'learningRate' ...}) also names the option ({@code --lr}). */
    static String withOption(String problem) {
        for (Map.Entry<String, String> e : OPTION_OF.entrySet()) {
            String quoted = "'" + e.getKey() + "'";
            if (problem.startsWith(quoted) || problem.contains(" " + quoted)) {
                return problem.replaceFirst(Pattern.quote(quoted), quoted + " (" + e.getValue() + ")");
            }
        }
        return problem;
    }

    private static boolean given(String value) {
        return value != null && !value.isBlank();
    }
}
