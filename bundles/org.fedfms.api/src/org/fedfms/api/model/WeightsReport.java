package org.fedfms.api.model;

import java.nio.file.Path;
import java.util.List;

/**
 * What loading a weights file into a model found.
 *
 * @param model model variant id
 * @param adapter adapter type id, or empty
 * @param file the file
 * @param format {@code pth}, {@code safetensors} or {@code npz}
 * @param tensorsLoaded tensors loaded
 * @param valuesLoaded scalar values loaded
 * @param renamed tensors found under another naming scheme (Hugging Face) and mapped
 * @param keptInitial model tensors the file lacked and that kept their initial values (adapter modules)
 * @param ignored names in the file skipped on purpose
 */
public record WeightsReport(String model, String adapter, Path file, String format, int tensorsLoaded,
        long valuesLoaded, int renamed, List<String> keptInitial, List<String> ignored) {

    public WeightsReport {
        adapter = adapter == null ? "" : adapter;
        keptInitial = List.copyOf(keptInitial);
        ignored = List.copyOf(ignored);
    }
}
