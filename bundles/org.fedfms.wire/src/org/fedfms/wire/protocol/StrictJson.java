package org.fedfms.wire.protocol;

import java.io.IOException;
import java.io.StringReader;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * Strict JSON for request bodies: RFC 8259 syntax only (no single quotes, comments or unquoted names), no
 * duplicate keys, nothing after the value; and small readers of typed fields that name the field that is wrong.
 * Every failure is a {@link ProtocolException}.
 */
public final class StrictJson {

    /** Untyped maps read numbers as long or double, as the federation's own JSON does. */
    public static final Gson GSON = new GsonBuilder().disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

    private static final int MAX_DEPTH = 64;

    private StrictJson() {
    }

    /** The JSON object in {@code text}; {@code what} names the body in errors. A blank text is an empty object. */
    public static JsonObject object(String text, String what) {
        if (text.isBlank()) {
            return new JsonObject();
        }
        JsonElement e = parse(text, what);
        if (!e.isJsonObject()) {
            throw new ProtocolException(what + " must be a JSON object");
        }
        return e.getAsJsonObject();
    }

    /** The JSON value in {@code text}, read strictly. */
    public static JsonElement parse(String text, String what) {
        try (JsonReader in = new JsonReader(new StringReader(text))) {
            in.setStrictness(Strictness.STRICT);
            JsonElement e = read(in, 0);
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw new ProtocolException(what + " is not valid JSON: more after the value at " + in.getPath());
            }
            return e;
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException(what + " is not valid JSON: " + e.getMessage());
        }
    }

    private static JsonElement read(JsonReader in, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new ProtocolException("the JSON nests deeper than " + MAX_DEPTH + " levels at " + in.getPath());
        }
        switch (in.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject o = new JsonObject();
                in.beginObject();
                while (in.hasNext()) {
                    String name = in.nextName();
                    if (o.has(name)) {
                        throw new ProtocolException("duplicate key '" + name + "' at " + in.getPath());
                    }
                    o.add(name, read(in, depth + 1));
                }
                in.endObject();
                return o;
            }
            case BEGIN_ARRAY -> {
                JsonArray a = new JsonArray();
                in.beginArray();
                while (in.hasNext()) {
                    a.add(read(in, depth + 1));
                }
                in.endArray();
                return a;
            }
            case STRING -> {
                return new JsonPrimitive(in.nextString());
            }
            case NUMBER -> {
                return new JsonPrimitive(new java.math.BigDecimal(in.nextString()));
            }
            case BOOLEAN -> {
                return new JsonPrimitive(in.nextBoolean());
            }
            case NULL -> {
                in.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new ProtocolException("unexpected " + in.peek() + " at " + in.getPath());
        }
    }

    /** Refuses keys of {@code o} other than {@code allowed}, naming them. */
    public static void onlyKeys(JsonObject o, String what, String... allowed) {
        List<String> known = Arrays.asList(allowed);
        for (String key : o.keySet()) {
            if (!known.contains(key)) {
                throw new ProtocolException("unknown field '" + key + "' in the " + what + " body (known: "
                        + String.join(", ", known) + ")");
            }
        }
    }

    /** A whole number ≥ 0 in field {@code key}, or {@code absent} when the field is missing. */
    public static long count(JsonObject o, String key, long absent) {
        if (!o.has(key)) {
            return absent;
        }
        JsonElement v = o.get(key);
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new ProtocolException("'" + key + "' must be a whole number, found " + shortly(v));
        }
        try {
            long n = new java.math.BigDecimal(v.getAsString()).longValueExact();
            if (n < 0) {
                throw new ProtocolException("'" + key + "' must not be negative, found " + n);
            }
            return n;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ProtocolException("'" + key + "' must be a whole number of long range, found " + shortly(v));
        }
    }

    /** The text in field {@code key} (required). */
    public static String text(JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw new ProtocolException("'" + key + "' must be text, found " + (v == null ? "nothing" : shortly(v)));
        }
        return v.getAsString();
    }

    /** A finite number; {@code field} names it in errors. */
    public static double finite(JsonElement v, String field) {
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
            throw new ProtocolException("'" + field + "' must be a number, found " + shortly(v));
        }
        double d = v.getAsDouble();
        if (!Double.isFinite(d)) {
            throw new ProtocolException("'" + field + "' is not finite", true);
        }
        return d;
    }

    /** The JSON object in field {@code key} as a map of names and values (numbers as long or double). */
    public static Map<String, Object> map(JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null || v.isJsonNull()) {
            return Map.of();
        }
        if (!v.isJsonObject()) {
            throw new ProtocolException("'" + key + "' must be a JSON object of names and values, found "
                    + shortly(v));
        }
        Map<String, Object> m = GSON.fromJson(v, new TypeToken<LinkedHashMap<String, Object>>() { }.getType());
        return m == null ? Map.of() : m;
    }

    /** The value, cut to 40 characters, for messages. */
    public static String shortly(JsonElement v) {
        String s = v.toString();
        return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }
}
