package io.gannet.agent.control.server;

/**
 * One HTTP request, copied out of netty's buffers so that it can cross to a worker thread.
 *
 * @param method      upper-case HTTP method
 * @param uri         the request target as sent (path and query, still percent-encoded)
 * @param contentType the Content-Type header, or null
 * @param body        the body bytes (empty when none)
 */
public record ApiRequest(String method, String uri, String contentType, byte[] body) {
    public ApiRequest {
        body = body == null ? new byte[0] : body;
    }

    public static ApiRequest get(String uri) {
        return new ApiRequest("GET", uri, null, new byte[0]);
    }
}
