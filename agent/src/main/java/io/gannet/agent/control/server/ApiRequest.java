package io.gannet.agent.control.server;

/**
 * One HTTP request, copied out of netty's buffers so that it can cross to a worker thread.
 *
 * @param method      upper-case HTTP method
 * @param uri         the request target as sent (path and query, still percent-encoded)
 * @param contentType the Content-Type header, or null
 * @param body        the body bytes (empty when none)
 * @param accept      the Accept header, or null: {@code text/plain} asks for the CLI's own
 *                    text (tables) instead of JSON, where a view has one
 */
public record ApiRequest(String method, String uri, String contentType, byte[] body, String accept) {
    public ApiRequest {
        body = body == null ? new byte[0] : body;
    }

    public ApiRequest(String method, String uri, String contentType, byte[] body) {
        this(method, uri, contentType, body, null);
    }

    /** True when the client asked for text/plain (and not JSON) first. */
    public boolean wantsText() {
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).startsWith("text/plain");
    }

    public static ApiRequest get(String uri) {
        return new ApiRequest("GET", uri, null, new byte[0]);
    }
}
