package io.gannet.agent.control.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What a command request asks, in the CLI's words, for the audit log: {@code POST
 * /v1/peers/tor1/disable} is action {@code peer disable}, target {@code tor1}; {@code POST
 * /v1/announce} with prefix 192.0.2.1/32 is {@code announce}, {@code 192.0.2.1/32}. Read from
 * the request leniently (the request may be malformed: the audit names what was tried).
 */
record OperatorCommand(String action, String target) {
    private static final int MAX_FIELD = 128;

    static OperatorCommand of(ApiRequest r) {
        String path;
        try {
            path = new QueryStringDecoder(r.uri(), StandardCharsets.UTF_8, true, 64).path();
        } catch (IllegalArgumentException e) {
            return new OperatorCommand(r.method() + " (malformed target)", "");
        }
        if (path.startsWith("/v1/peers/")) {
            String rest = path.substring("/v1/peers/".length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                return new OperatorCommand("peer " + clip(rest.substring(slash + 1)), clip(rest.substring(0, slash)));
            }
        }
        return switch (path) {
            case "/v1/announce" -> new OperatorCommand("announce", bodyField(r, "prefix"));
            case "/v1/withdraw" -> new OperatorCommand("withdraw", bodyField(r, "prefix"));
            case "/v1/reload" -> new OperatorCommand("reload", "");
            case "/v1/endpoints/add" -> new OperatorCommand("endpoint add", bodyField(r, "name"));
            case "/v1/endpoints/remove" -> new OperatorCommand("endpoint remove", bodyField(r, "name"));
            default -> new OperatorCommand(r.method() + " " + clip(path), "");
        };
    }

    private static String bodyField(ApiRequest r, String field) {
        if (r.body().length == 0) {
            return "";
        }
        try {
            JsonNode v = JsonCodec.mapper().readTree(r.body()).path(field);
            return v.isTextual() ? clip(v.asText()) : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String clip(String s) {
        return s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD) + "...";
    }
}
