package org.fedfms.api.settings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Settings written as text, {@code key=value} pairs separated by commas or spaces ({@code loss=bce, lr=1e-4} or
 * {@code loss=bce lr=1e-4}): the one reading of the shell's options and the workbench's text fields. A comma or a
 * space starts a new setting only where {@code key=} follows, so values such as {@code labelValues=0,128,255}
 * keep their commas.
 */
public final class SettingsText {

    private static final Pattern SETTING_START =
            Pattern.compile("(?:\\s*,\\s*|\\s+)(?=[A-Za-z_][A-Za-z0-9_.]*\\s*=)");
    private static final Pattern WHOLE = Pattern.compile("[-+]?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private SettingsText() {
    }

    /**
     * The settings in {@code text}, in order, each value {@link #typed(String) typed}; blank text gives none.
     *
     * @param subject what the settings are for, named in the exception
     * @throws SettingsException listing every part that is not {@code key=value}
     */
    public static Map<String, Object> parse(String subject, String text) {
        Map<String, Object> settings = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String part : SETTING_START.split(text == null ? "" : text.trim())) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq <= 0) {
                problems.add("'" + part.trim() + "' is not of the form key=value");
            } else {
                settings.put(part.substring(0, eq).trim(), typed(part.substring(eq + 1).trim()));
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(subject, problems);
        }
        return settings;
    }

    /** A value as written: {@code true}/{@code false}, a whole number (long), a finite decimal (double), else the text. */
    public static Object typed(String text) {
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        if (WHOLE.matcher(text).matches()) {
            return Long.parseLong(text);
        }
        if (DECIMAL.matcher(text).matches()) {
            double d = Double.parseDouble(text);
            if (Double.isFinite(d)) {
                return d;
            }
        }
        return text;
    }
}
