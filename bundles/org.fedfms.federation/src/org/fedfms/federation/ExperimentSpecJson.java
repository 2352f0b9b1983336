package org.fedfms.federation;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fedfms.api.settings.SettingsException;
import org.fedfms.api.io.AtomicFiles;
import org.fedfms.federation.internal.Json;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * Reads and writes {@link ExperimentSpec}s as JSON: one flat object whose keys are the record's components,
 * those of its groups ({@link TrainingSchedule}, ...) in their place as in {@link ExperimentSpec#SCHEMA};
 * protocol as {@code federated}, {@code leave-one-site-out}, ...; keys left out (or {@code null}) take their
 * defaults, unknown keys and values of the wrong kind are errors.
 */
public final class ExperimentSpecJson {

    private static final Map<String, Class<?>> TYPES = types();
    private static final Set<String> KEYS = TYPES.keySet();

    private ExperimentSpecJson() {
    }

    /** The type of each key: the record's components, those of its groups in their place. */
    private static Map<String, Class<?>> types() {
        Map<String, Class<?>> types = new LinkedHashMap<>();
        leafTypes(ExperimentSpec.class, types);
        return types;
    }

    private static void leafTypes(Class<?> type, Map<String, Class<?>> types) {
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord()) {
                leafTypes(c.getType(), types);
            } else {
                types.put(c.getName(), c.getType());
            }
        }
    }

    /** {@code tree}, as Gson writes a record of {@code type}, with the members of its groups in their place. */
    private static JsonObject flat(Class<?> type, JsonObject tree) {
        JsonObject out = new JsonObject();
        for (RecordComponent c : type.getRecordComponents()) {
            JsonElement v = tree.get(c.getName());
            if (c.getType().isRecord()) {
                flat(c.getType(), v.getAsJsonObject()).entrySet().forEach(e -> out.add(e.getKey(), e.getValue()));
            } else if (v != null) {
                out.add(c.getName(), v);
            }
        }
        return out;
    }

    /** The flat object {@code flat} as Gson reads a record of {@code type}: each group's members in an object. */
    private static JsonObject nested(Class<?> type, JsonObject flat) {
        JsonObject out = new JsonObject();
        for (RecordComponent c : type.getRecordComponents()) {
            if (c.getType().isRecord()) {
                out.add(c.getName(), nested(c.getType(), flat));
            } else if (flat.has(c.getName())) {
                out.add(c.getName(), flat.get(c.getName()));
            }
        }
        return out;
    }

    /** The spec's keys and values, groups flattened, as one JSON object. */
    private static JsonObject tree(ExperimentSpec spec) {
        return flat(ExperimentSpec.class, Json.GSON.toJsonTree(spec).getAsJsonObject());
    }

    /** The problem of a JSON value given for a component, or {@code null} if its kind fits. */
    private static String kindProblem(String key, JsonElement value) {
        Class<?> t = TYPES.get(key);
        String found = value.toString();
        if (found.length() > 40) {
            found = found.substring(0, 37) + "...";
        }
        if (t == int.class || t == long.class) {
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
                return "'" + key + "' must be a whole number, found " + found;
            }
            double d = value.getAsDouble();
            if (d != Math.rint(d) || Double.isInfinite(d)
                    || (t == int.class && (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE))) {
                return "'" + key + "' must be a whole number" + (t == int.class ? " of int range" : "") + ", found "
                        + found;
            }
        } else if (t == double.class) {
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
                return "'" + key + "' must be a number, found " + found;
            }
        } else if (t == String.class || t == ExperimentSpec.Protocol.class) {
            if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
                return "'" + key + "' must be text, found " + found;
            }
            if (t == ExperimentSpec.Protocol.class) {
                try {
                    ExperimentSpec.Protocol.parse(value.getAsString());
                } catch (IllegalArgumentException e) {
                    return "'" + key + "': " + e.getMessage();
                }
            }
        } else if (Map.class.isAssignableFrom(t) && !value.isJsonObject()) {
            return "'" + key + "' must be a JSON object of names and values, found " + found;
        }
        return null;
    }

    /** The spec as pretty-printed JSON, every component written. */
    public static String toJson(ExperimentSpec spec) {
        return Json.GSON.toJson(tree(spec)) + "\n";
    }

    /**
     * The spec in {@code json}, over the defaults, validated.
     *
     * @param source what the text is (a file name), for error messages
     * @throws SettingsException naming the source and every problem (syntax, unknown keys, wrong types,
     *     invalid values)
     */
    public static ExperimentSpec fromJson(String json, String source) {
        ExperimentSpec spec = parse(json, source);
        List<String> invalid = spec.problems();
        if (!invalid.isEmpty()) {
            throw new SettingsException("experiment spec " + source, invalid);
        }
        return spec;
    }

    /**
     * The spec in {@code json}, over the defaults, its JSON checked (syntax, unknown keys, wrong types) but
     * its values not: for a caller that changes the spec and then has it validated once (as
     * {@link FederationService#create} does).
     *
     * @param source what the text is (a file name), for error messages
     * @throws SettingsException naming the source and every problem of the JSON
     */
    public static ExperimentSpec parse(String json, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new SettingsException("experiment spec " + source, List.of("not valid JSON: " + message(e)));
        }
        if (!root.isJsonObject()) {
            throw new SettingsException("experiment spec " + source,
                    List.of("expected a JSON object with the keys " + KEYS + ", found " + kind(root)));
        }
        JsonObject given = root.getAsJsonObject();
        List<String> problems = new ArrayList<>();
        JsonObject merged = tree(ExperimentSpec.DEFAULTS);
        for (Map.Entry<String, JsonElement> e : given.entrySet()) {
            String key = e.getKey();
            if (!KEYS.contains(key)) {
                problems.add("unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            } else if (!e.getValue().isJsonNull()) {
                String problem = kindProblem(key, e.getValue());
                if (problem != null) {
                    problems.add(problem);
                } else {
                    merged.add(key, e.getValue());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException("experiment spec " + source, problems);
        }
        ExperimentSpec spec;
        try {
            spec = Json.GSON.fromJson(nested(ExperimentSpec.class, merged), ExperimentSpec.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new SettingsException("experiment spec " + source, List.of(message(e)));
        }
        return spec;
    }

    /** Reads and validates the spec in {@code file}. */
    public static ExperimentSpec read(Path file) throws IOException {
        return fromJson(text(file), file.toString());
    }

    /** Reads the spec in {@code file} without validating its values (see {@link #parse(String, String)}). */
    public static ExperimentSpec readUnvalidated(Path file) throws IOException {
        return parse(text(file), file.toString());
    }

    private static String text(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no experiment spec file");
        }
    }

    /** Writes {@code spec} to {@code file} atomically (temp file, fsync, rename). */
    public static void write(Path file, ExperimentSpec spec) throws IOException {
        AtomicFiles.write(file, toJson(spec).getBytes(StandardCharsets.UTF_8));
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        return "a value";
    }

    private static String message(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.replaceFirst("^[a-zA-Z.]+Exception: ", "");
    }
}
