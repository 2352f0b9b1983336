package org.fedfms.api.data;

import java.util.List;
import java.util.Map;

/**
 * One site as {@link DatasetInspector} saw it.
 *
 * @param siteId the site
 * @param train training samples
 * @param validation validation samples
 * @param test test samples
 * @param cases distinct cases
 * @param inspected samples decoded for the class balance and sizes
 * @param classPixels mask pixels per class over the inspected samples
 * @param sizes image sizes ({@code HxWxC}) of the inspected samples and how often each occurs
 */
public record SiteSummary(String siteId, int train, int validation, int test, int cases, int inspected,
        List<Long> classPixels, Map<String, Integer> sizes) {

    public SiteSummary {
        classPixels = List.copyOf(classPixels);
        sizes = Map.copyOf(sizes);
    }

    /** Share of class {@code c} among the inspected mask pixels (0 if none was inspected). */
    public double classFraction(int c) {
        long total = classPixels.stream().mapToLong(Long::longValue).sum();
        return total == 0 ? 0 : classPixels.get(c) / (double) total;
    }
}
