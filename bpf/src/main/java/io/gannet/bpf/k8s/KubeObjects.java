package io.gannet.bpf.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The parts of Kubernetes Service (core/v1) and EndpointSlice (discovery.k8s.io/v1)
 * objects the datapath needs, parsed from YAML trees with validation that names the field.
 */
public final class KubeObjects {
    private KubeObjects() {}

    /** Annotation choosing the backend selection of all of a Service's frontends. */
    public static final String ALGORITHM_ANNOTATION = "gannet.io/lb-algorithm";
    /** Label tying an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** A Service port: name ("" when unnamed), protocol, port. */
    public record ServicePort(String name, Protocol protocol, int port) {}

    /** A Service: clusterIP null for headless/None, externalIPs, ports, Maglev or not. */
    public record Service(String namespace, String name, Integer clusterIp, List<Integer> externalIps,
            List<ServicePort> ports, boolean maglev) {}

    /** An EndpointSlice port. */
    public record SlicePort(String name, Protocol protocol, int port) {}

    /** An EndpointSlice: ready addresses and ports, for service {@code serviceName}. */
    public record Slice(String namespace, String name, String serviceName, List<Integer> readyAddresses, List<SlicePort> ports) {}

    /** Thrown with the path of the offending field. */
    public static final class InvalidObject extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidObject(String message) {
            super(message);
        }
    }

    static String text(JsonNode n, String path) {
        JsonNode v = at(n, path);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new InvalidObject(path + ": expected a string");
        }
        return v.asText();
    }

    static String required(JsonNode n, String path) {
        String v = text(n, path);
        if (v == null || v.isBlank()) {
            throw new InvalidObject(path + ": required");
        }
        return v;
    }

    static JsonNode at(JsonNode n, String path) {
        JsonNode cur = n;
        for (String part : path.split("\\.")) {
            if (cur == null || !cur.isObject()) {
                return null;
            }
            cur = cur.get(part);
        }
        return cur;
    }

    static int port(JsonNode n, String path) {
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw new InvalidObject(path + ": expected a port number");
        }
        int p = n.asInt();
        if (p < 1 || p > 65535) {
            throw new InvalidObject(path + ": port " + p + " out of range 1-65535");
        }
        return p;
    }

    static Protocol protocol(JsonNode n, String path) {
        try {
            return Protocol.parse(n == null || n.isNull() ? null : n.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidObject(path + ": " + e.getMessage());
        }
    }

    static int ip(String s, String path) {
        try {
            return Ipv4.parse(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidObject(path + ": " + e.getMessage());
        }
    }

    static List<JsonNode> list(JsonNode n, String path) {
        JsonNode v = at(n, path);
        List<JsonNode> out = new ArrayList<>();
        if (v == null || v.isNull() || v.isMissingNode()) {
            return out;
        }
        if (!v.isArray()) {
            throw new InvalidObject(path + ": expected a list");
        }
        v.forEach(out::add);
        return out;
    }

    public static Service service(JsonNode doc) {
        String name = required(doc, "metadata.name");
        String ns = text(doc, "metadata.namespace");
        ns = ns == null ? "default" : ns;
        String algo = null;
        JsonNode ann = at(doc, "metadata.annotations");
        if (ann != null && ann.isObject() && ann.has(ALGORITHM_ANNOTATION)) {
            algo = ann.get(ALGORITHM_ANNOTATION).asText();
        }
        boolean maglev = false;
        if (algo != null) {
            switch (algo.toLowerCase(Locale.ROOT)) {
                case "maglev" -> maglev = true;
                case "random" -> maglev = false;
                default -> throw new InvalidObject("metadata.annotations." + ALGORITHM_ANNOTATION
                        + ": '" + algo + "' is not random or maglev");
            }
        }
        String cip = text(doc, "spec.clusterIP");
        Integer clusterIp = cip == null || cip.isBlank() || "None".equals(cip) ? null : ip(cip, "spec.clusterIP");
        List<Integer> external = new ArrayList<>();
        List<JsonNode> ext = list(doc, "spec.externalIPs");
        for (int i = 0; i < ext.size(); i++) {
            external.add(ip(ext.get(i).asText(), "spec.externalIPs[" + i + "]"));
        }
        List<ServicePort> ports = new ArrayList<>();
        List<JsonNode> ps = list(doc, "spec.ports");
        for (int i = 0; i < ps.size(); i++) {
            JsonNode p = ps.get(i);
            String where = "spec.ports[" + i + "]";
            String pname = p.hasNonNull("name") ? p.get("name").asText() : "";
            ports.add(new ServicePort(pname, protocol(p.get("protocol"), where + ".protocol"), port(p.get("port"), where + ".port")));
        }
        return new Service(ns, name, clusterIp, List.copyOf(external), List.copyOf(ports), maglev);
    }

    public static Slice slice(JsonNode doc) {
        String name = required(doc, "metadata.name");
        String ns = text(doc, "metadata.namespace");
        ns = ns == null ? "default" : ns;
        JsonNode labels = at(doc, "metadata.labels");
        if (labels == null || !labels.hasNonNull(SERVICE_NAME_LABEL)) {
            throw new InvalidObject("metadata.labels." + SERVICE_NAME_LABEL + ": required");
        }
        String svc = labels.get(SERVICE_NAME_LABEL).asText();
        String addressType = required(doc, "addressType");
        if (!"IPv4".equals(addressType)) {
            throw new InvalidObject("addressType: '" + addressType + "' is not supported (IPv4 only)");
        }
        List<Integer> ready = new ArrayList<>();
        List<JsonNode> eps = list(doc, "endpoints");
        for (int i = 0; i < eps.size(); i++) {
            JsonNode ep = eps.get(i);
            // discovery/v1: a nil "ready" condition means unknown and is treated as ready
            JsonNode r = at(ep, "conditions.ready");
            boolean isReady = r == null || r.isNull() || r.asBoolean(false);
            List<JsonNode> addrs = list(ep, "addresses");
            for (int j = 0; j < addrs.size(); j++) {
                int a = ip(addrs.get(j).asText(), "endpoints[" + i + "].addresses[" + j + "]");
                if (isReady) {
                    ready.add(a);
                }
            }
        }
        List<SlicePort> ports = new ArrayList<>();
        List<JsonNode> ps = list(doc, "ports");
        for (int i = 0; i < ps.size(); i++) {
            JsonNode p = ps.get(i);
            String where = "ports[" + i + "]";
            String pname = p.hasNonNull("name") ? p.get("name").asText() : "";
            ports.add(new SlicePort(pname, protocol(p.get("protocol"), where + ".protocol"), port(p.get("port"), where + ".port")));
        }
        return new Slice(ns, name, svc, List.copyOf(ready), List.copyOf(ports));
    }
}
