package org.fedfms.api.data;

import java.util.List;

/** A dataset that cannot be used as given: every problem found, each naming the file or site. */
public class DatasetException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public DatasetException(String message, List<String> problems) {
        super(message + (problems.isEmpty() ? "" : ":\n  " + String.join("\n  ", problems)));
        this.problems = List.copyOf(problems);
    }

    public DatasetException(String message) {
        this(message, List.of());
    }

    /** One line per problem. */
    public List<String> problems() {
        return problems;
    }
}
