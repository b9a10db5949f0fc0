package dev.switchboard.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.common.ApiException;
import dev.switchboard.common.Json;
import dev.switchboard.common.Page;
import dev.switchboard.common.Principal;
import dev.switchboard.metrics.Metrics;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** One HTTP exchange as the route handlers see it: typed access to the request and JSON answers. */
public final class Call {
    private final ServerRequest request;
    private final ServerResponse response;
    private final Principal principal;
    private final long maxBodyBytes;

    private final Metrics metrics;

    Call(ServerRequest request, ServerResponse response, Principal principal, long maxBodyBytes,
         Metrics metrics) {
        this.metrics = metrics;
        this.request = request;
        this.response = response;
        this.principal = principal;
        this.maxBodyBytes = maxBodyBytes;
    }

    public Principal principal() { return principal; }

    public String organizationId() { return principal.organizationId(); }

    public String path(String name) { return request.path().pathParameters().get(name); }

    public Optional<String> query(String name) {
        var v = request.query().first(name);
        return v.isPresent() && !v.get().isBlank() ? Optional.of(v.get()) : Optional.empty();
    }

    public Optional<Integer> queryInt(String name) {
        return query(name).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw ApiException.invalidQuery(name, "Input should be a valid integer");
            }
        });
    }

    public Optional<Boolean> queryBool(String name) {
        return query(name).map(v -> switch (v.toLowerCase()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ApiException.invalidQuery(name, "Input should be a valid boolean");
        });
    }

    public Page.Request pageRequest() {
        return new Page.Request(queryInt("page").orElse(1), queryInt("per_page").orElse(20));
    }

    public Optional<String> header(String name) {
        return request.headers().first(HeaderNames.create(name));
    }

    /** The body as a record; 413 past the size limit, 422 for malformed JSON, a wrong type or a failed check. */
    public <T> T body(Class<T> type) {
        // Every body is a record: only an object binds. Jackson would bind a JSON null as a null record.
        return Json.bind(bodyObject(), type);
    }

    /** The body as a JSON object (for partial updates, where which fields are present matters). */
    public ObjectNode bodyObject() {
        JsonNode tree = bodyTree();
        if (!(tree instanceof ObjectNode obj)) {
            throw ApiException.invalidBody("Input should be a valid dictionary or object", "model_attributes_type");
        }
        return obj;
    }

    /** Like {@link #bodyObject()}, but an empty body is an empty object. */
    public ObjectNode optionalBodyObject() {
        return hasBody() ? bodyObject() : Json.object();
    }

    /** Like {@link #body(Class)}, but an empty body binds as an empty object. */
    public <T> T optionalBody(Class<T> type) {
        return Json.bind(optionalBodyObject(), type);
    }

    // How much of a body over the limit is read and dropped so the client can read the 413 (Tomcat's default).
    private static final long SWALLOW_BYTES = 2 * 1024 * 1024;

    private byte[] cachedBody;
    private boolean bodyUnread;

    private boolean hasBody() {
        return rawBody().length > 0;
    }

    /** A file sent as a part of a multipart/form-data body. */
    public record Upload(String fileName, Optional<String> contentType, byte[] bytes) {}

    /**
     * The file part named {@code field} of a multipart/form-data body, read up to {@code maxBytes} (413 past it);
     * 422 when the body is not multipart or has no such part. Other parts are skipped.
     */
    public Upload upload(String field, long maxBytes) {
        String type = request.headers().contentType().map(t -> t.mediaType().text()).orElse("");
        if (!type.equalsIgnoreCase("multipart/form-data")) {
            throw ApiException.invalidBody("Send the file as multipart/form-data with a part named '" + field + "'",
                    "multipart_expected");
        }
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > maxBytes + SWALLOW_BYTES + 64 * 1024) {
            bodyUnread = true;
            throw new ApiException.TooLarge("The file is larger than the limit of " + maxBytes + " bytes");
        }
        try {
            FileItemInputIterator parts = Multipart.parts(request);
            while (parts.hasNext()) {
                FileItemInput part = parts.next();
                if (!field.equals(part.getFieldName()) || part.isFormField()) continue;
                byte[] bytes;
                try (InputStream in = part.getInputStream()) {
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                    if (bytes.length > maxBytes) {
                        swallowRest(in);
                        bodyUnread = true;
                        throw new ApiException.TooLarge("The file is larger than the limit of " + maxBytes + " bytes");
                    }
                }
                String name = part.getName() == null || part.getName().isBlank() ? field : part.getName();
                String partType = part.getContentType();
                return new Upload(name, partType == null || partType.startsWith("application/octet-stream")
                        ? Optional.empty() : Optional.of(partType), bytes);
            }
        } catch (ApiException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            bodyUnread = true;
            throw ApiException.invalidBody("The multipart body could not be read", "body_unreadable");
        }
        throw ApiException.invalidBody("The multipart body has no part named '" + field + "'", "missing");
    }

    /** The raw body bytes read with the size limit. */
    public byte[] rawBody() {
        if (cachedBody != null) {
            return cachedBody;
        }
        long declared = request.headers().contentLength().orElse(-1);
        if (declared > maxBodyBytes + SWALLOW_BYTES) {
            bodyUnread = true;
            throw tooLarge();
        }
        byte[] bytes;
        try (InputStream in = request.content().inputStream()) {
            if (declared >= 0 && declared <= maxBodyBytes) {
                // Its length is known and allowed: read into an array of that size (readNBytes(n) would allocate
                // 16 KiB for any body and copy it again, per request).
                bytes = new byte[(int) declared];
                int read = in.readNBytes(bytes, 0, bytes.length);
                if (read < bytes.length) bytes = java.util.Arrays.copyOf(bytes, read);
            } else {
                bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
                if (bytes.length > maxBodyBytes) {
                    swallowRest(in);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Broken framing (a bad chunk size, a truncated body) is the client's doing, not a server error.
            bodyUnread = true;
            throw ApiException.invalidBody("The request body could not be read", "body_unreadable");
        }
        if (bytes.length > maxBodyBytes) {
            throw tooLarge();
        }
        cachedBody = bytes;
        return bytes;
    }

    /**
     * Drops the rest of a refused body, up to {@link #SWALLOW_BYTES}. A client still sending when the server closes
     * gets a reset connection instead of the 413; past the cap, closing is still the lesser evil.
     */
    private void swallowRest(InputStream in) {
        byte[] buffer = new byte[8192];
        long dropped = 0;
        try {
            int n;
            while ((n = in.read(buffer)) != -1) {
                dropped += n;
                if (dropped > SWALLOW_BYTES) {
                    bodyUnread = true;
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Broken framing past the limit: the answer is still 413, on a connection that is then closed.
            bodyUnread = true;
        }
    }

    /** True when the body was refused before its end was read: the connection cannot carry another request. */
    boolean bodyUnread() { return bodyUnread; }

    private ApiException.TooLarge tooLarge() {
        return new ApiException.TooLarge("Request body is larger than the limit of " + maxBodyBytes + " bytes");
    }

    private JsonNode bodyTree() {
        byte[] bytes = rawBody();
        if (bytes.length == 0) {
            throw ApiException.invalidBody("Field required", "missing");
        }
        try {
            JsonNode tree = Json.strictTree(bytes);
            // A JSON null is no body at all: binding it would hand the handler a null record.
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw ApiException.invalidBody("Field required", "missing");
            }
            return tree;
        } catch (JacksonException e) {
            throw ApiException.invalidBody("JSON decode error: " + e.getOriginalMessage(), "json_invalid");
        } catch (IOException e) {
            throw ApiException.invalidBody("The request body could not be read", "body_unreadable");
        }
    }

    public void json(int status, Object body) {
        response.status(Status.create(status));
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(Json.writeBytes(body));
    }

    public void ok(Object body) { json(200, body); }

    /** Starts a Server-Sent Events answer. */
    public SseStream sse() {
        return new SseStream(response, metrics.streamOpened());
    }

    /** Raw bytes, for file downloads. */
    public void bytes(int status, String contentType, byte[] body, String disposition) {
        response.status(Status.create(status));
        response.header(HeaderNames.CONTENT_TYPE, contentType);
        response.header(HeaderNames.CONTENT_DISPOSITION, disposition);
        response.send(body);
    }

    public void noContent() {
        response.status(Status.NO_CONTENT_204);
        response.send();
    }

    public void header(HeaderName name, String value) { response.header(name, value); }

    public ServerResponse rawResponse() { return response; }

    public ServerRequest rawRequest() { return request; }
}
