package io.gannet.agent.control.server;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.DaemonControl;
import java.util.List;
import java.util.Map;

/** Request bodies of the external endpoint commands ({@code POST /v1/endpoints/add|remove}). */
final class EndpointBodies {
    private EndpointBodies() {}

    /** {@code namespace} defaults to "default"; {@code cidrs} addresses or prefixes; {@code labels} at least one. */
    record Add(String namespace, String name, List<String> cidrs, Map<String, String> labels) {}

    record Remove(String namespace, String name) {}

    static Map<String, Object> dispatch(String path, byte[] body, DaemonControl control) {
        if (path.endsWith("/add")) {
            Add a = JsonCodec.readBody(body, Add.class);
            return control.endpointAdd(a.namespace(), required(a.name()), a.cidrs() == null ? List.of() : a.cidrs(),
                    a.labels() == null ? Map.of() : a.labels());
        }
        Remove a = JsonCodec.readBody(body, Remove.class);
        return control.endpointRemove(a.namespace(), required(a.name()));
    }

    private static String required(String v) {
        if (v == null || v.isEmpty()) {
            throw ControlException.badRequest("request body needs 'name'");
        }
        return v;
    }
}
