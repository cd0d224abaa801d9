package io.gannet.agent.control.server;

import io.gannet.agent.control.ControlException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP response: status, content type, body and any extra headers. */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json";
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(int status, Object value) {
        return new ApiResponse(status, JSON, JsonCodec.write(value), Map.of());
    }

    public static ApiResponse text(String contentType, String text) {
        return new ApiResponse(200, contentType, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** The JSON error body every failure returns. */
    public record ErrorBody(int status, String error, String message) {}

    public static ApiResponse error(ControlException e) {
        return error(e, Map.of());
    }

    public static ApiResponse error(ControlException e, Map<String, String> headers) {
        ErrorBody b = new ErrorBody(e.kind().httpStatus(), e.kind().code(), e.getMessage());
        return new ApiResponse(b.status(), JSON, JsonCodec.write(b), new LinkedHashMap<>(headers));
    }

    /** The "message" of a JSON answer (a command's result or an error), or the status line. */
    public static String messageOf(ApiResponse r) {
        if (r.contentType().startsWith(JSON)) {
            try {
                com.fasterxml.jackson.databind.JsonNode m = JsonCodec.mapper().readTree(r.body()).path("message");
                if (m.isTextual()) {
                    return m.asText();
                }
            } catch (java.io.IOException e) {
                // not a JSON object: fall through
            }
        }
        return "HTTP " + r.status();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
