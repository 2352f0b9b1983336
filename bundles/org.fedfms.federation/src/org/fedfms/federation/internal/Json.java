package org.fedfms.federation.internal;

import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

import org.fedfms.api.RoundResult;
import org.fedfms.federation.ExperimentSpec.Protocol;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.ToNumberPolicy;
import com.google.gson.TypeAdapter;
import com.google.gson.reflect.TypeToken;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

/** The one Gson configuration of the federation: specs, round history and checkpoint metadata. */
public final class Json {

    /** Pretty-printed, numbers in untyped maps as long or double, NaN and infinities allowed. */
    public static final Gson GSON = new GsonBuilder()
            .setPrettyPrinting()
            .disableHtmlEscaping()
            .serializeSpecialFloatingPointValues()
            .setStrictness(Strictness.LENIENT)
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE)
            .registerTypeAdapter(Protocol.class, new TextAdapter<>(Protocol::id, Protocol::parse, null).nullSafe())
            .registerTypeAdapter(Instant.class,
                    new TextAdapter<>(Instant::toString, Json::instant, Instant::ofEpochMilli).nullSafe())
            .create();

    private static final Type HISTORY = new TypeToken<List<RoundResult>>() { }.getType();

    private Json() {
    }

    public static String historyToJson(List<RoundResult> history) {
        return GSON.toJson(history, HISTORY);
    }

    /** The round history in {@code json}; {@code source} names the file in errors. */
    public static List<RoundResult> historyFromJson(String json, String source) throws IOException {
        try {
            List<RoundResult> list = GSON.fromJson(json, HISTORY);
            if (list == null) {
                throw new IOException(source + ": empty round history");
            }
            return List.copyOf(list);
        } catch (JsonParseException | IllegalStateException | NullPointerException e) {
            throw new IOException(source + ": unreadable round history: " + e.getMessage(), e);
        }
    }

    /** {@code text} as an ISO-8601 instant; a refusal names the text. */
    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 instant", e);
        }
    }

    /**
     * A value written as its text and read back by {@code parse}, whose {@link IllegalArgumentException} becomes
     * a {@link JsonParseException} naming the JSON path; {@code fromNumber}, when given, reads a JSON number.
     */
    private static final class TextAdapter<T> extends TypeAdapter<T> {
        private final Function<T, String> text;
        private final Function<String, T> parse;
        private final LongFunction<T> fromNumber;

        TextAdapter(Function<T, String> text, Function<String, T> parse, LongFunction<T> fromNumber) {
            this.text = text;
            this.parse = parse;
            this.fromNumber = fromNumber;
        }

        @Override
        public void write(JsonWriter out, T value) throws IOException {
            out.value(text.apply(value));
        }

        @Override
        public T read(JsonReader in) throws IOException {
            if (fromNumber != null && in.peek() == JsonToken.NUMBER) {
                return fromNumber.apply(in.nextLong());
            }
            String value = in.nextString();
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new JsonParseException(e.getMessage() + " at " + in.getPreviousPath());
            }
        }
    }
}
