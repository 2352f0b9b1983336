package org.fedfms.data;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Case ids from file names: a regular expression whose first group is the case, matched against the
 * whole name without extension; names that do not match are cases of their own.
 */
public final class CaseIds {

    /** The {@code casePattern} setting's description, for settings records. */
    public static final String SETTING_DESCRIPTION = "regular expression over the file name without extension whose "
            + "group 1 is the case (patient, volume); empty or no match: each image is its own case";

    private CaseIds() {
    }

    /**
     * The case-id function of {@code regex}.
     *
     * @throws IllegalArgumentException if the expression is invalid or has no group
     */
    public static UnaryOperator<String> of(String regex) {
        if (regex == null || regex.isBlank()) {
            return UnaryOperator.identity();
        }
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("casePattern '" + regex + "' is not a regular expression: "
                    + e.getDescription());
        }
        if (p.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("casePattern '" + regex + "' has no group (...) for the case id");
        }
        return name -> {
            Matcher m = p.matcher(name);
            return m.matches() && m.group(1) != null && !m.group(1).isEmpty() ? m.group(1) : name;
        };
    }

    /** {@code name} without its extension ({@code .nii.gz} counts as one). */
    public static String baseName(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".nii.gz")) {
            return name.substring(0, name.length() - 7);
        }
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
