package org.fedfms.api;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The parameters that stay at each site (personalization: FedBN keeps the normalization layers, FedPer-style
 * runs keep adapters or the decoder head): glob patterns over parameter names, {@code *} for any run of
 * characters and {@code ?} for one, e.g. {@code *norm*} or {@code mask_decoder.output_hypernetworks*}. Matching
 * tensors are neither sent nor aggregated; the rest is {@linkplain #shared shared}.
 *
 * @param patterns the patterns as given, in order; empty: every parameter is shared
 */
public record LocalParameters(List<String> patterns) {

    /** No local parameters: everything is shared. */
    public static final LocalParameters NONE = new LocalParameters(List.of());

    public LocalParameters {
        patterns = List.copyOf(patterns);
    }

    /**
     * The patterns of {@code text}, separated by commas (blanks around them ignored); empty or blank text is
     * {@link #NONE}.
     */
    public static LocalParameters parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<String> list = new ArrayList<>();
        for (String p : text.split(",")) {
            if (!p.isBlank()) {
                list.add(p.strip());
            }
        }
        return new LocalParameters(list);
    }

    /** Whether every parameter is shared. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Whether parameter {@code name} stays at the site. */
    public boolean matches(String name) {
        for (String p : patterns) {
            if (glob(p).matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The tensors of {@code parameters} that travel and are aggregated. */
    public ParameterSet shared(ParameterSet parameters) {
        return isEmpty() ? parameters : parameters.select(n -> !matches(n));
    }

    /** The tensors of {@code parameters} that stay at the site. */
    public ParameterSet local(ParameterSet parameters) {
        return isEmpty() ? ParameterSet.empty() : parameters.select(this::matches);
    }

    /**
     * What is wrong with these patterns for a model whose trainable parameters are {@code trainable}: a pattern
     * that matches none of them, and patterns that together match all of them (nothing would be shared), each
     * naming the pattern; empty if none.
     */
    public List<String> problems(Collection<String> trainable) {
        List<String> problems = new ArrayList<>();
        for (String p : patterns) {
            Pattern g = glob(p);
            if (trainable.stream().noneMatch(n -> g.matcher(n).matches())) {
                problems.add("pattern '" + p + "' matches no trainable parameter (" + trainable.size()
                        + " trainable tensors, e.g. " + String.join(", ", trainable.stream().limit(3).toList()) + ")");
            }
        }
        if (!isEmpty() && !trainable.isEmpty() && trainable.stream().allMatch(this::matches)) {
            problems.add("patterns " + String.join(",", patterns) + " match every one of the " + trainable.size()
                    + " trainable parameters: nothing would be shared; narrow them");
        }
        return problems;
    }

    /** The patterns joined by commas, as {@link #parse} reads them. */
    @Override
    public String toString() {
        return String.join(",", patterns);
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString());
    }
}
