package org.fedfms.site.internal;

import static org.fedfms.wire.protocol.TaskMessage.SECAGG_INSTRUCTION;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedfms.api.ParameterSet;
import org.fedfms.api.strategy.FitInstructions;
import org.fedfms.api.strategy.FitResult;
import org.fedfms.api.strategy.UpdateCheck;
import org.fedfms.secagg.MaskedInput;
import org.fedfms.secagg.Roster;
import org.fedfms.secagg.RoutedShares;
import org.fedfms.secagg.SecAggCodec;
import org.fedfms.secagg.SecAggSite;
import org.fedfms.secagg.UnmaskRequest;
import org.fedfms.secagg.UpdateVector;
import org.fedfms.wire.protocol.TaskMessage;

/**
 * A site agent's side of secure aggregation: the tasks {@code SECAGG_KEYS}, {@code SECAGG_SHARES},
 * {@code SECAGG_FIT} and {@code SECAGG_REVEAL} of a round, run with one {@link SecAggSite} held in memory per
 * experiment and round (a new round of the experiment replaces it). The coordinator's message of a phase comes in
 * the task's instruction {@value TaskMessage#SECAGG_INSTRUCTION} and is read with the codec's bounds; the answer
 * goes to {@code POST .../tasks/T/secagg} as {@link SecAggCodec} bytes. A fit is trained (and clipped and noised when the
 * experiment has client DP) as a plain fit, then masked here: only the masked vector leaves the site, with its
 * sample count and fit metrics.
 */
final class SecureTasks {

    /** Most sites a round's messages may name, when the agent reads them. */
    private static final int MAX_SITES = 4096;

    /** Trains one round from the global parameters as a plain fit does. */
    @FunctionalInterface
    interface Fit {
        FitResult fit(ParameterSet global, FitInstructions instructions) throws Exception;
    }

    /** Downloads the task's global parameters. */
    @FunctionalInterface
    interface Parameters {
        ParameterSet get() throws IOException, InterruptedException;
    }

    private record Key(String experiment, int round) {
    }

    private final String siteId;
    private final CoordinatorClient client;
    private final SecureRandom random = new SecureRandom();
    private final SecAggCodec codec = new SecAggCodec(MAX_SITES, 1);
    private final Map<Key, SecAggSite> rounds = new ConcurrentHashMap<>();

    SecureTasks(String siteId, CoordinatorClient client) {
        this.siteId = siteId;
        this.client = client;
    }

    static boolean handles(String kind) {
        return kind.startsWith("SECAGG_");
    }

    /**
     * Runs one phase and sends its answer; {@code false} when the agent stopped meanwhile (nothing is sent).
     *
     * @throws IllegalStateException naming the phase when the task is malformed or out of order
     */
    boolean run(TaskMessage task, Parameters parameters, Fit fit, java.util.function.BooleanSupplier running)
            throws Exception {
        Key key = new Key(task.experiment(), task.round());
        byte[] answer;
        String query = "";
        switch (task.kind()) {
            case "SECAGG_KEYS" -> {
                SecAggSite s = new SecAggSite(siteId, random);
                rounds.keySet().removeIf(k -> k.experiment().equals(task.experiment()));
                rounds.put(key, s);
                answer = codec.encode(s.advertiseKeys());
            }
            case "SECAGG_SHARES" -> {
                Roster roster = codec.readRoster(payload(task));
                if (roster.round() != task.round()) {
                    throw new IllegalStateException("the roster is of round " + roster.round() + ", the task of round "
                            + task.round());
                }
                answer = codec.encode(state(key, task).shareKeys(roster));
            }
            case "SECAGG_FIT" -> {
                RoutedShares routed = codec.readRoutedShares(payload(task));
                ParameterSet global = parameters.get();
                Map<String, Object> plain = new LinkedHashMap<>(task.instructions());
                plain.remove(SECAGG_INSTRUCTION);
                FitResult r = fit.fit(global, new FitInstructions(plain));
                if (!running.getAsBoolean()) {
                    return false;
                }
                UpdateCheck.check(global, r);
                MaskedInput m = state(key, task).maskInput(routed.sharers(), routed.shares(),
                        UpdateVector.flatten(global, r.parameters()), r.sampleCount());
                answer = codec.encode(m);
                query = query(r);
            }
            case "SECAGG_REVEAL" -> {
                UnmaskRequest request = codec.readUnmaskRequest(payload(task));
                answer = codec.encode(state(key, task).reveal(request));
                rounds.remove(key);
            }
            default -> throw new IllegalStateException("unknown task kind '" + task.kind() + "'");
        }
        if (!running.getAsBoolean()) {
            return false;
        }
        HttpResponse<String> r = client.send(client.authorized(client.site("tasks/" + task.taskId() + "/secagg"
                + query)).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(answer)));
        CoordinatorClient.requireOk(r, "sending the " + task.kind() + " answer of round " + task.round());
        return true;
    }

    private SecAggSite state(Key key, TaskMessage task) {
        SecAggSite s = rounds.get(key);
        if (s == null) {
            throw new IllegalStateException(task.kind() + " of experiment '" + task.experiment() + "', round "
                    + task.round() + ": this agent holds no keys of that round (it restarted, or the keys task never "
                    + "came); the site drops out of the round");
        }
        return s;
    }

    private static byte[] payload(TaskMessage task) {
        Object v = task.instructions().get(SECAGG_INSTRUCTION);
        if (!(v instanceof String text)) {
            throw new IllegalStateException(task.kind() + " task without its '" + SECAGG_INSTRUCTION + "' message");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(task.kind() + " task: its '" + SECAGG_INSTRUCTION
                    + "' message is not base64", e);
        }
    }

    /** The sample count and the fit's metrics as query parameters. */
    private static String query(FitResult r) {
        StringBuilder q = new StringBuilder("?samples=").append(r.sampleCount());
        if (r.metrics() != null) {
            r.metrics().values().forEach((name, value) -> {
                if (Double.isFinite(value)) {
                    q.append("&metric.").append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                            .append(value);
                }
            });
        }
        return q.toString();
    }
}
