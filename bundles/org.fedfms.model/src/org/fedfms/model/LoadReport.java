package org.fedfms.model;

import java.util.List;

/**
 * What loading tensors into a model did.
 *
 * @param tensorsLoaded tensors whose values were replaced
 * @param valuesLoaded scalar values replaced
 * @param renamed tensors found under another naming scheme (e.g. Hugging Face) and mapped
 * @param keptInitial model tensors the file did not hold and that kept their values (as the mode allows)
 * @param ignored names in the file that the model does not use and that were skipped on purpose
 */
public record LoadReport(int tensorsLoaded, long valuesLoaded, int renamed, List<String> keptInitial,
        List<String> ignored) {

    public LoadReport {
        keptInitial = List.copyOf(keptInitial);
        ignored = List.copyOf(ignored);
    }
}
