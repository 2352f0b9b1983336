package org.fedfms.server.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.fedfms.wire.protocol.ProtocolException;
import org.fedfms.wire.protocol.StrictJson;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Reading JSON request bodies (bounded while they stream, parsed strictly) and writing JSON answers and
 * errors, for both APIs of the coordinator.
 */
final class HttpJson {

    /** The most bytes a JSON request body may have. */
    static final int MAX_JSON_BYTES = 1 << 20;

    private HttpJson() {
    }

    /**
     * The body as text, read at most {@link #MAX_JSON_BYTES} bytes: a longer body, declared or streamed
     * (chunked), is refused with 413 as soon as the limit is passed, before more is read.
     */
    static String text(Request request) {
        long length = request.getLength();
        if (length > MAX_JSON_BYTES) {
            throw new HttpError(413, "a JSON body may have at most " + MAX_JSON_BYTES + " bytes, this one declares "
                    + length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length > 0 ? (int) length : 256);
        byte[] buffer = new byte[8192];
        try (InputStream in = Content.Source.asInputStream(request)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > MAX_JSON_BYTES) {
                    throw new HttpError(413, "a JSON body may have at most " + MAX_JSON_BYTES
                            + " bytes; this one went on past that");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The body as a strictly parsed JSON object ({@code what} names it in errors); blank is an empty object. */
    static JsonObject object(Request request, String what) {
        String text = text(request);
        try {
            return StrictJson.object(text, what);
        } catch (ProtocolException e) {
            throw new HttpError(400, e.getMessage());
        }
    }

    static int seconds(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new HttpError(400, "'" + what + "' must be a whole number of seconds, got '"
                    + LogText.of(text) + "'");
        }
    }

    static void json(Response response, Callback callback, int status, JsonElement body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
        Content.Sink.write(response, true, ServerJson.GSON.toJson(body), callback);
    }

    static void error(Request request, Response response, Callback callback, int status, String message) {
        drain(request, response);
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        o.addProperty("status", status);
        if (status == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"fedfms\"");
        }
        json(response, callback, status, o);
    }

    /**
     * Reads what is left of a small refused request body, so the connection stays usable; a large or unknown
     * one is not read: the connection is closed after the answer instead.
     */
    private static void drain(Request request, Response response) {
        long length = request.getLength();
        if (length == 0) {
            return;
        }
        if (length > 0 && length <= MAX_JSON_BYTES) {
            try {
                Content.Source.consumeAll(request);
                return;
            } catch (IOException | RuntimeException e) {
                // fall through: close the connection
            }
        }
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
}
