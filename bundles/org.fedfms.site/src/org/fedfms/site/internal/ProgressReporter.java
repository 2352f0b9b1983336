package org.fedfms.site.internal;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

import org.fedfms.wire.protocol.ProgressReport;

/**
 * Sends a site's progress reports to its coordinator without holding up training: one at a time, a report that
 * comes while another is under way is dropped; an answer is not waited for, nor is a refused report sent again.
 * Before the task's answer is sent, the report under way is given a moment to arrive, so it comes first.
 */
final class ProgressReporter {

    private static final long SETTLE_MILLIS = 2000;

    private final HttpClient http;
    private final BiFunction<String, String, HttpRequest> request;
    private volatile CompletableFuture<?> underWay = CompletableFuture.completedFuture(null);

    /** @param request the POST of a report's JSON body for a task id */
    ProgressReporter(HttpClient http, BiFunction<String, String, HttpRequest> request) {
        this.http = http;
        this.request = request;
    }

    /** Sends {@code report} on task {@code taskId} unless a report is under way. */
    synchronized void send(String taskId, ProgressReport report) {
        if (underWay.isDone()) {
            underWay = http.sendAsync(request.apply(taskId, report.toJson().toString()),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /** Waits a moment (at most {@value #SETTLE_MILLIS} ms) for the report under way. */
    void settle() throws InterruptedException {
        try {
            underWay.get(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException lost) {
            // a report that did not arrive is only a report
        }
    }
}
