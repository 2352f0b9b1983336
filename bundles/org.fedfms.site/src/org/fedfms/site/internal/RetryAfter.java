package org.fedfms.site.internal;

import java.net.http.HttpResponse;

/** The wait a coordinator's 429 (rate limit) or 503 (busy) answer asks for in its Retry-After header. */
final class RetryAfter {

    private RetryAfter() {
    }

    /** How long {@code r} asks to wait (Retry-After in seconds or as an HTTP date), at most {@code max}; or -1. */
    static long millis(HttpResponse<?> r, long max) {
        if (r.statusCode() != 429 && r.statusCode() != 503) {
            return -1;
        }
        String value = r.headers().firstValue("Retry-After").orElse(null);
        if (value == null || value.isBlank()) {
            return -1;
        }
        long millis;
        try {
            millis = Math.round(Double.parseDouble(value.trim()) * 1000);
        } catch (NumberFormatException notSeconds) {
            try {
                millis = java.time.Duration.between(java.time.Instant.now(), java.time.ZonedDateTime.parse(value.trim(),
                        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).toMillis();
            } catch (java.time.format.DateTimeParseException e) {
                return -1;
            }
        }
        return Math.max(0, Math.min(millis, max));
    }
}
