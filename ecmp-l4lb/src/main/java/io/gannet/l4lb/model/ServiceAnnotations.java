package io.gannet.l4lb.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code gannet.io/} annotations of a Service that configure the L4 load balancer:
 * <pre>
 *   gannet.io/health-check: tcp | http | https | udp | exec | none   (default tcp)
 *   gannet.io/health-check-port: 8081            (default: each backend's port)
 *   gannet.io/health-check-path: /healthz        (http, https; default /)
 *   gannet.io/health-check-expect: 200           (http, https; default 200)
 *   gannet.io/health-check-command: /usr/local/bin/check --fast   (exec; split on spaces)
 *   gannet.io/health-check-payload: ping         (udp; default empty datagram)
 *   gannet.io/health-check-interval: 1s          (ms or s suffix; default 1s)
 *   gannet.io/health-check-timeout: 500ms        (default = interval)
 *   gannet.io/health-check-rise: 2               gannet.io/health-check-fall: 3
 *   gannet.io/backend-weights: "10.1.0.5=3, 10.1.0.6:8080=0"   (Maglev weights; default 1;
 *                              IPv6 as "fd00::5=3" or "[fd00::5]:8080=0")
 * </pre>
 * Any other {@code gannet.io/} key is reported as unknown, never ignored in silence.
 */
public final class ServiceAnnotations {
    private ServiceAnnotations() {}

    public static final String PREFIX = "gannet.io/";
    private static final List<String> KNOWN = List.of("health-check", "health-check-port", "health-check-path",
            "health-check-expect", "health-check-command", "health-check-payload", "health-check-interval",
            "health-check-timeout", "health-check-rise", "health-check-fall", "backend-weights", "lb-algorithm");

    /** Thrown with the annotation key and what is wrong. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** Annotations as a map; keys without the prefix are left out. */
    public static Map<String, String> of(JsonNode doc) {
        Map<String, String> out = new HashMap<>();
        JsonNode ann = doc.path("metadata").path("annotations");
        if (ann.isObject()) {
            ann.fields().forEachRemaining(e -> {
                if (e.getKey().startsWith(PREFIX)) {
                    out.put(e.getKey().substring(PREFIX.length()), e.getValue().asText());
                }
            });
        }
        return out;
    }

    /** Keys under gannet.io/ this load balancer does not know. */
    public static List<String> unknown(Map<String, String> ann) {
        List<String> out = new ArrayList<>();
        for (String k : ann.keySet()) {
            if (!KNOWN.contains(k)) {
                out.add(PREFIX + k);
            }
        }
        out.sort(null);
        return out;
    }

    public static HealthCheckSpec healthCheck(Map<String, String> ann) {
        HealthCheckSpec d = HealthCheckSpec.DEFAULT_TCP;
        HealthCheckSpec.Type type;
        String t = ann.getOrDefault("health-check", "tcp").trim().toLowerCase(Locale.ROOT);
        try {
            type = HealthCheckSpec.Type.valueOf(t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new Invalid(PREFIX + "health-check: '" + t + "' is not tcp, http, https, udp, exec or none");
        }
        Duration interval = duration(ann, "health-check-interval", d.interval());
        Duration timeout = duration(ann, "health-check-timeout", interval);
        String cmd = ann.getOrDefault("health-check-command", "").trim();
        try {
            return new HealthCheckSpec(type, integer(ann, "health-check-port", 0),
                    ann.getOrDefault("health-check-path", "/"), integer(ann, "health-check-expect", 200),
                    cmd.isEmpty() ? List.of() : List.of(cmd.split("\\s+")), ann.getOrDefault("health-check-payload", ""),
                    interval, timeout, integer(ann, "health-check-rise", d.rise()), integer(ann, "health-check-fall", d.fall()));
        } catch (IllegalArgumentException e) {
            throw new Invalid(PREFIX + "health-check: " + e.getMessage());
        }
    }

    /** Weight per backend; an entry without a port applies to every port of that address. */
    public static Map<String, Integer> weights(Map<String, String> ann) {
        Map<String, Integer> out = new HashMap<>();
        String w = ann.get("backend-weights");
        if (w == null || w.isBlank()) {
            return out;
        }
        for (String part : w.split(",")) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new Invalid(PREFIX + "backend-weights: '" + p + "' is not ADDRESS[:PORT]=WEIGHT");
            }
            String key = weightKey(p.substring(0, eq).trim());
            int weight;
            try {
                weight = Integer.parseInt(p.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new Invalid(PREFIX + "backend-weights: '" + p + "' is not ADDRESS[:PORT]=WEIGHT");
            }
            if (weight < 0 || weight > 1000) {
                throw new Invalid(PREFIX + "backend-weights: weight " + weight + " of " + key + " is not 0-1000");
            }
            out.put(key, weight);
        }
        return out;
    }

    /**
     * A backend-weights key in the form {@link #weightOf} looks up: "10.1.0.5", "10.1.0.5:8080",
     * "fd00::5" or "[fd00::5]:8080" (IPv6 in RFC 5952 text, so any spelling of it matches).
     */
    private static String weightKey(String key) {
        try {
            if (key.startsWith("[")) {
                int close = key.indexOf("]:");
                if (close < 0) {
                    throw new IllegalArgumentException("no ]:port");
                }
                int port = Integer.parseInt(key.substring(close + 2));
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("bad port");
                }
                return "[" + Ipv6.parse(key.substring(1, close)).format() + "]:" + port;
            }
            if (key.indexOf(':') != key.lastIndexOf(':')) {
                return Ipv6.parse(key).format(); // two colons or more: an IPv6 address alone
            }
            String[] ap = key.split(":");
            Ipv4.parse(ap[0]);
            if (ap.length == 2 && (Integer.parseInt(ap[1]) < 1 || Integer.parseInt(ap[1]) > 65535)) {
                throw new IllegalArgumentException("bad port");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new Invalid(PREFIX + "backend-weights: '" + key + "' is not an IPv4 address[:port], an IPv6 address or [IPv6]:port");
        }
    }

    /** The weight the annotation gives a backend (address:port first, then address), 1 by default. */
    public static int weightOf(Map<String, Integer> weights, Backend b) {
        Integer w = weights.get(b.toString());
        if (w == null) {
            w = weights.get(b.address());
        }
        return w == null ? 1 : w;
    }

    private static int integer(Map<String, String> ann, String key, int dflt) {
        String v = ann.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new Invalid(PREFIX + key + ": '" + v + "' is not a number");
        }
    }

    static Duration duration(Map<String, String> ann, String key, Duration dflt) {
        String v = ann.get(key);
        if (v == null) {
            return dflt;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new Invalid(PREFIX + key + ": '" + v + "' is not a duration like 500ms or 2s");
    }
}
