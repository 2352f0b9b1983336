package org.fedfms.admin.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** The commands of {@code fedfms admin}, each one or two calls of the coordinator's admin API. */
final class AdminCommands {

    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static final long POLL_MILLIS = 1_000;

    private final AdminConnection api;
    private final PrintStream out;

    AdminCommands(AdminConnection api, PrintStream out) {
        this.api = api;
        this.out = out;
    }

    int execute(String command, List<String> args) throws IOException {
        switch (command) {
            case "sites" -> print(api.call("GET", "sites", null), args, 0);
            case "experiments" -> experiments(args);
            case "create" -> {
                operands(command, args, 1, "SPEC.json");
                String spec = AdminMain.read(Path.of(args.get(0)), "the experiment spec");
                print(api.call("POST", "experiments", spec), List.of(), 0);
            }
            case "run" -> {
                boolean wait = args.remove("--wait");
                operands(command, args, 1, "NAME");
                JsonObject s = api.call("POST", path(args.get(0), "start"), null).getAsJsonObject();
                return wait ? await(args.get(0), s) : print(s, List.of(), 0);
            }
            case "pause", "resume" -> {
                operands(command, args, 1, "NAME");
                print(api.call("POST", path(args.get(0), command), null), List.of(), 0);
            }
            case "status" -> {
                operands(command, args, 1, "NAME");
                JsonObject s = api.call("GET", path(args.get(0), ""), null).getAsJsonObject();
                JsonElement progress = api.call("GET", path(args.get(0), "progress"), null);
                if (progress.isJsonObject() && !progress.getAsJsonObject().isEmpty()) {
                    s.add("progress", progress); // each site's last batch of the round under way
                }
                print(s, List.of(), 0);
            }
            case "strategy" -> strategy(args);
            case "metrics" -> {
                operands(command, args, 1, "NAME");
                rows(api.call("GET", path(args.get(0), "history"), null).getAsJsonArray()).forEach(out::println);
            }
            case "export" -> export(args);
            case "remove" -> {
                operands(command, args, 1, "NAME");
                print(api.call("DELETE", path(args.get(0), ""), null), List.of(), 0);
            }
            default -> throw new UsageException("unknown command '" + command + "'");
        }
        return 0;
    }

    private void experiments(List<String> args) throws IOException {
        operands("experiments", args, 0, "");
        out.println(String.format("%-24s %-10s %s", "name", "state", "rounds"));
        for (JsonElement e : api.call("GET", "experiments", null).getAsJsonArray()) {
            JsonObject s = e.getAsJsonObject();
            out.println(String.format("%-24s %-10s %d of %d", s.get("name").getAsString(),
                    s.get("state").getAsString().toLowerCase(java.util.Locale.ROOT), s.get("completedRounds").getAsInt(),
                    s.get("plannedRounds").getAsInt()));
        }
    }

    private void strategy(List<String> args) throws IOException {
        if (args.size() < 2) {
            throw new UsageException("strategy takes NAME ID [k=v ...]");
        }
        JsonObject body = new JsonObject();
        body.addProperty("strategy", args.get(1));
        JsonObject settings = new JsonObject();
        for (String kv : args.subList(2, args.size())) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
                throw new UsageException("strategy setting '" + kv + "' is not key=value");
            }
            String value = kv.substring(eq + 1);
            if (value.matches("-?\\d+(\\.\\d+)?([eE]-?\\d+)?")) {
                settings.addProperty(kv.substring(0, eq), Double.parseDouble(value));
            } else if (value.equals("true") || value.equals("false")) {
                settings.addProperty(kv.substring(0, eq), Boolean.parseBoolean(value));
            } else {
                settings.addProperty(kv.substring(0, eq), value);
            }
        }
        body.add("settings", settings);
        print(api.call("POST", path(args.get(0), "strategy"), body.toString()), List.of(), 0);
    }

    /** Polls the status once a second, a line per completed round, until the run ends; 0 if it completed. */
    private int await(String name, JsonObject started) throws IOException {
        int shown = started.get("completedRounds").getAsInt();
        JsonObject s = started;
        while (s.get("state").getAsString().equals("RUNNING")) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + name, e);
            }
            s = api.call("GET", path(name, ""), null).getAsJsonObject();
            int done = s.get("completedRounds").getAsInt();
            if (done > shown) {
                shown = done;
                out.println("[" + name + "] round " + done + "/" + s.get("plannedRounds").getAsInt() + " done"
                        + evaluation(s));
            }
        }
        shown = s.get("completedRounds").getAsInt();
        String state = s.get("state").getAsString();
        String message = s.has("message") && !s.get("message").getAsString().isEmpty()
                ? ": " + s.get("message").getAsString() : "";
        out.println("[" + name + "] " + state.toLowerCase(java.util.Locale.ROOT) + " after " + shown + " round(s)"
                + message);
        return state.equals("COMPLETED") ? 0 : 1;
    }

    private static String evaluation(JsonObject status) {
        JsonElement last = status.get("lastEvaluation");
        if (last == null || !last.isJsonObject() || !last.getAsJsonObject().has("values")) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, JsonElement> e : last.getAsJsonObject().getAsJsonObject("values").entrySet()) {
            sb.append(", ").append(e.getKey()).append(' ').append(String.format("%.4f", e.getValue().getAsDouble()));
        }
        return sb.toString();
    }

    private void export(List<String> args) throws IOException {
        operands("export", args, 2, "NAME DIR");
        String name = args.get(0);
        Path dir = Path.of(args.get(1)).toAbsolutePath();
        JsonElement status = api.call("GET", path(name, ""), null);
        JsonArray history = api.call("GET", path(name, "history"), null).getAsJsonArray();
        Files.createDirectories(dir);
        write(dir.resolve("status.json"), PRETTY.toJson(status) + "\n");
        write(dir.resolve("history.json"), PRETTY.toJson(history) + "\n");
        List<String> rows = rows(history);
        List<String> csv = new ArrayList<>();
        for (String row : rows) {
            csv.add(String.join(",", row.strip().split("\\s+")));
        }
        write(dir.resolve("rounds.csv"), String.join("\n", csv) + "\n");
        out.println("exported " + name + " (" + history.size() + " rounds) to " + dir + ": status.json, history.json, "
                + "rounds.csv");
    }

    /** A header and a row per round and site (then the round's mean): status, samples and every metric. */
    static List<String> rows(JsonArray history) {
        TreeSet<String> fit = new TreeSet<>();
        TreeSet<String> eval = new TreeSet<>();
        for (JsonElement r : history) {
            for (JsonElement s : r.getAsJsonObject().getAsJsonArray("sites")) {
                fit.addAll(values(s.getAsJsonObject(), "fitMetrics").keySet());
                eval.addAll(values(s.getAsJsonObject(), "evaluationMetrics").keySet());
            }
        }
        List<String> header = new ArrayList<>(List.of("round", "site", "status", "samples"));
        fit.forEach(k -> header.add("fit_" + k));
        header.addAll(eval);
        List<String> lines = new ArrayList<>();
        lines.add(line(header));
        for (JsonElement r : history) {
            JsonObject round = r.getAsJsonObject();
            String n = round.get("round").getAsString();
            for (JsonElement s : round.getAsJsonArray("sites")) {
                JsonObject site = s.getAsJsonObject();
                List<String> cells = new ArrayList<>(List.of(n, site.get("siteId").getAsString(),
                        site.get("status").getAsString().toLowerCase(java.util.Locale.ROOT),
                        site.get("sampleCount").getAsString()));
                cells.addAll(metrics(values(site, "fitMetrics"), fit));
                cells.addAll(metrics(values(site, "evaluationMetrics"), eval));
                lines.add(line(cells));
            }
            List<String> mean = new ArrayList<>(List.of(n, "mean", "-", "-"));
            mean.addAll(metrics(values(round, "fitMetrics"), fit));
            mean.addAll(metrics(values(round, "evaluationMetrics"), eval));
            lines.add(line(mean));
        }
        return lines;
    }

    private static Map<String, Double> values(JsonObject o, String key) {
        Map<String, Double> m = new LinkedHashMap<>();
        JsonElement metrics = o.get(key);
        if (metrics != null && metrics.isJsonObject() && metrics.getAsJsonObject().has("values")) {
            metrics.getAsJsonObject().getAsJsonObject("values").entrySet()
                    .forEach(e -> m.put(e.getKey(), e.getValue().getAsDouble()));
        }
        return m;
    }

    private static List<String> metrics(Map<String, Double> values, TreeSet<String> keys) {
        List<String> cells = new ArrayList<>();
        for (String k : keys) {
            Double v = values.get(k);
            cells.add(v == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", v));
        }
        return cells;
    }

    private static String line(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (String c : cells) {
            sb.append(String.format("%-12s", c)).append(' ');
        }
        return sb.toString().stripTrailing();
    }

    private int print(JsonElement json, List<String> args, int status) {
        if (!args.isEmpty()) {
            throw new UsageException("this command takes no arguments, got " + String.join(" ", args));
        }
        out.println(PRETTY.toJson(json));
        return status;
    }

    private static String path(String name, String action) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new UsageException("'" + name + "' is not an experiment name");
        }
        return "experiments/" + name + (action.isEmpty() ? "" : "/" + action);
    }

    private static void operands(String command, List<String> args, int n, String names) {
        if (args.size() != n) {
            throw new UsageException(command + " takes " + (n == 0 ? "no arguments" : names) + ", got "
                    + (args.isEmpty() ? "none" : String.join(" ", args)));
        }
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
