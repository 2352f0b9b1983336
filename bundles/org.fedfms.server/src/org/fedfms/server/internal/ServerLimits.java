package org.fedfms.server.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's limits against sites that misbehave or links that crawl (keys {@code limits.*} of its
 * configuration; see the README's deployment section).
 *
 * @param siteConcurrentRequests requests one site may have in progress at once; more are answered 429 at once
 * @param siteLeaseSeconds a joined site not heard from for this long, and holding no task, is left out of the
 *     sites chosen for a round until it polls again
 * @param maxAbsParameter largest magnitude an update's value may have; larger finite values are refused (422),
 *     so no site can overflow the round's sum
 * @param minUploadBytesPerSecond an update arriving slower than this (after a grace of
 *     {@code uploadGraceSeconds}) is cut off with 408, freeing its upload slot
 * @param uploadGraceSeconds seconds an upload may take before its rate is checked
 * @param maxStoredMessageChars longest message a site's failure report keeps (history, logs)
 */
public record ServerLimits(int siteConcurrentRequests, int siteLeaseSeconds, double maxAbsParameter,
        long minUploadBytesPerSecond, int uploadGraceSeconds, int maxStoredMessageChars) {

    /** The defaults. */
    public static final ServerLimits DEFAULTS = new ServerLimits(8, 120, 1e12, 16 * 1024, 10, 2000);

    public ServerLimits {
        List<String> problems = new ArrayList<>();
        if (siteConcurrentRequests < 2) {
            problems.add("limits.siteConcurrentRequests must be at least 2 (a poll and an upload), got "
                    + siteConcurrentRequests);
        }
        if (siteLeaseSeconds < 1) {
            problems.add("limits.siteLeaseSeconds must be at least 1, got " + siteLeaseSeconds);
        }
        if (!(maxAbsParameter > 0) || Double.isInfinite(maxAbsParameter) || maxAbsParameter > 1e30) {
            problems.add("limits.maxAbsParameter must be a number in (0, 1e30], got " + maxAbsParameter);
        }
        if (minUploadBytesPerSecond < 0) {
            problems.add("limits.minUploadBytesPerSecond must be >= 0 (0: no minimum), got "
                    + minUploadBytesPerSecond);
        }
        if (uploadGraceSeconds < 0) {
            problems.add("limits.uploadGraceSeconds must be >= 0, got " + uploadGraceSeconds);
        }
        if (maxStoredMessageChars < 80) {
            problems.add("limits.maxStoredMessageChars must be at least 80, got " + maxStoredMessageChars);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** The limits in {@code p} over the defaults. */
    static ServerLimits from(Map<String, String> p) {
        return new ServerLimits(
                (int) CoordinatorConfig.longValue(p, "limits.siteConcurrentRequests", DEFAULTS.siteConcurrentRequests),
                (int) CoordinatorConfig.longValue(p, "limits.siteLeaseSeconds", DEFAULTS.siteLeaseSeconds),
                CoordinatorConfig.decimal(p, "limits.maxAbsParameter", DEFAULTS.maxAbsParameter),
                CoordinatorConfig.longValue(p, "limits.minUploadBytesPerSecond", DEFAULTS.minUploadBytesPerSecond),
                (int) CoordinatorConfig.longValue(p, "limits.uploadGraceSeconds", DEFAULTS.uploadGraceSeconds),
                (int) CoordinatorConfig.longValue(p, "limits.maxStoredMessageChars", DEFAULTS.maxStoredMessageChars));
    }
}
