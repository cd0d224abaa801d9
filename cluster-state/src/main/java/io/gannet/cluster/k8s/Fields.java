package io.gannet.cluster.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Typed access to fields of a Kubernetes object tree; every failure names the field. */
final class Fields {
    private Fields() {}

    static JsonNode at(JsonNode n, String path) {
        JsonNode cur = n;
        for (String part : path.split("\\.")) {
            if (cur == null || !cur.isObject()) {
                return null;
            }
            cur = cur.get(part);
        }
        return cur == null || cur.isNull() || cur.isMissingNode() ? null : cur;
    }

    static String text(JsonNode n, String path, String where) {
        JsonNode v = at(n, path);
        if (v == null) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new InvalidObject(where + path, "expected a string");
        }
        return v.asText();
    }

    static String required(JsonNode n, String path) {
        String v = text(n, path, "");
        if (v == null || v.isBlank()) {
            throw new InvalidObject(path, "required");
        }
        return v;
    }

    static List<JsonNode> list(JsonNode n, String path, String where) {
        JsonNode v = at(n, path);
        List<JsonNode> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new InvalidObject(where + path, "expected a list");
        }
        v.forEach(out::add);
        return out;
    }

    static int port(JsonNode n, String path, boolean zeroAllowed) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new InvalidObject(path, "expected a port number");
        }
        int p = n.asInt();
        if ((p == 0 && !zeroAllowed) || p < 0 || p > 65535) {
            throw new InvalidObject(path, "port " + p + " out of range 1-65535");
        }
        return p;
    }

    /** "TCP" (the default), "UDP" or "SCTP", as Kubernetes spells them. */
    static String protocol(JsonNode n, String path) {
        String s = n == null || n.isNull() ? "TCP" : n.asText();
        return switch (s) {
            case "TCP", "UDP", "SCTP" -> s;
            default -> throw new InvalidObject(path, "protocol '" + s + "' is not TCP, UDP or SCTP");
        };
    }

    static InetAddress ip(JsonNode n, String path) {
        if (n == null || !n.isTextual()) {
            throw new InvalidObject(path, "expected an IP address");
        }
        try {
            return IpLiteral.parse(n.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidObject(path, e.getMessage());
        }
    }

    static List<InetAddress> ips(JsonNode doc, String path) {
        List<InetAddress> out = new ArrayList<>();
        List<JsonNode> l = list(doc, path, "");
        for (int i = 0; i < l.size(); i++) {
            out.add(ip(l.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    static boolean bool(JsonNode n, String path, boolean dflt) {
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isBoolean()) {
            throw new InvalidObject(path, "expected true or false");
        }
        return n.asBoolean();
    }

    /** One of {@code allowed} (case-sensitive, as the API server is), or {@code dflt} when absent. */
    static String oneOf(JsonNode doc, String path, String dflt, String... allowed) {
        String v = text(doc, path, "");
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new InvalidObject(path, "'" + v + "' is not one of " + String.join(", ", allowed));
    }

    /** Adds a note for every field of {@code obj} not in {@code known}. */
    static void unknownFields(JsonNode obj, String where, Set<String> known, List<String> notes) {
        if (obj == null || !obj.isObject()) {
            return;
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                notes.add(where + f + ": unknown field, ignored");
            }
        }
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
