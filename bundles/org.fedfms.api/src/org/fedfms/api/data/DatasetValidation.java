package org.fedfms.api.data;

import java.util.List;

/**
 * What {@link DatasetValidator} found.
 *
 * @param dataset the dataset's name
 * @param samplesChecked samples decoded
 * @param problems every problem, one line each naming the site and file or case
 */
public record DatasetValidation(String dataset, int samplesChecked, List<String> problems) {

    public DatasetValidation {
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
