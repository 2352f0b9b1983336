package org.fedfms.api.settings;

import java.util.List;

/** Settings that could not be bound: every problem found, each naming the setting. */
public class SettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public SettingsException(String subject, List<String> problems) {
        super(subject + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
