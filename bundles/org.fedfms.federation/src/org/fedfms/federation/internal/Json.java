package org.fedfms.federation.internal;

import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

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
            .registerTypeAdapter(Protocol.class, new ProtocolAdapter().nullSafe())
            .registerTypeAdapter(Instant.class, new InstantAdapter().nullSafe())
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

    private static final class ProtocolAdapter extends TypeAdapter<Protocol> {
        @Override
        public void write(JsonWriter out, Protocol value) throws IOException {
            out.value(value.id());
        }

        @Override
        public Protocol read(JsonReader in) throws IOException {
            String text = in.nextString();
            try {
                return Protocol.parse(text);
            } catch (IllegalArgumentException e) {
                throw new JsonParseException(e.getMessage() + " at " + in.getPreviousPath());
            }
        }
    }

    private static final class InstantAdapter extends TypeAdapter<Instant> {
        @Override
        public void write(JsonWriter out, Instant value) throws IOException {
            out.value(value.toString());
        }

        @Override
        public Instant read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NUMBER) {
                return Instant.ofEpochMilli(in.nextLong());
            }
            String text = in.nextString();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new JsonParseException("'" + text + "' is not an ISO-8601 instant at " + in.getPreviousPath());
            }
        }
    }
}
