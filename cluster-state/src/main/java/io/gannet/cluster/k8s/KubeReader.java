package io.gannet.cluster.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads Service (v1) and EndpointSlice (discovery.k8s.io/v1) trees into {@link KubeService}
 * and {@link EndpointSlice}. A value that is wrong (a bad address, a port out of range) throws
 * {@link InvalidObject} naming the field; a field this reader does not know is kept as a note
 * on the object, so nothing a user wrote is dropped in silence. Fields that only matter to
 * other controllers (selector, ipFamilyPolicy, loadBalancerClass...) are accepted as read.
 */
public final class KubeReader {
    private KubeReader() {}

    /** Annotation choosing the backend selection of all of a Service's frontends. */
    public static final String ALGORITHM_ANNOTATION = "gannet.io/lb-algorithm";
    /** Label tying an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    /** kube-proxy's default ClientIP affinity timeout (3 hours). */
    public static final int DEFAULT_AFFINITY_TIMEOUT = 10800;

    private static final Set<String> SPEC_FIELDS = Set.of("ports", "selector", "clusterIP", "clusterIPs", "type",
            "externalIPs", "sessionAffinity", "loadBalancerIP", "loadBalancerSourceRanges", "externalName",
            "externalTrafficPolicy", "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig",
            "ipFamilies", "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass",
            "internalTrafficPolicy", "trafficDistribution");
    private static final Set<String> PORT_FIELDS = Set.of("name", "protocol", "appProtocol", "port", "targetPort", "nodePort");
    private static final Set<String> ENDPOINT_FIELDS = Set.of("addresses", "conditions", "hostname", "targetRef",
            "nodeName", "zone", "hints", "deprecatedTopology");

    public static KubeService service(JsonNode doc) {
        String name = Fields.required(doc, "metadata.name");
        String ns = Fields.text(doc, "metadata.namespace", "");
        ns = ns == null || ns.isEmpty() ? "default" : ns;
        List<String> notes = new ArrayList<>();
        boolean maglev = false;
        JsonNode ann = Fields.at(doc, "metadata.annotations");
        if (ann != null && ann.isObject() && ann.hasNonNull(ALGORITHM_ANNOTATION)) {
            String algo = ann.get(ALGORITHM_ANNOTATION).asText();
            switch (algo.toLowerCase(Locale.ROOT)) {
                case "maglev" -> maglev = true;
                case "random" -> maglev = false;
                default -> throw new InvalidObject("metadata.annotations." + ALGORITHM_ANNOTATION,
                        "'" + algo + "' is not random or maglev");
            }
        }
        JsonNode spec = Fields.at(doc, "spec");
        if (spec != null && !spec.isObject()) {
            throw new InvalidObject("spec", "expected a mapping");
        }
        Fields.unknownFields(spec, "spec.", SPEC_FIELDS, notes);
        String type = Fields.oneOf(doc, "spec.type", "ClusterIP", "ClusterIP", "NodePort", "LoadBalancer", "ExternalName");

        List<InetAddress> clusterIps = new ArrayList<>();
        String cip = Fields.text(doc, "spec.clusterIP", "");
        List<JsonNode> cips = Fields.list(doc, "spec.clusterIPs", "");
        if (!cips.isEmpty()) {
            for (int i = 0; i < cips.size(); i++) {
                String t = cips.get(i).asText();
                if (!"None".equals(t) && !t.isEmpty()) {
                    clusterIps.add(Fields.ip(cips.get(i), "spec.clusterIPs[" + i + "]"));
                }
            }
            if (cip != null && !cip.isEmpty() && !"None".equals(cip) && !clusterIps.isEmpty()
                    && !clusterIps.get(0).equals(Fields.ip(Fields.at(doc, "spec.clusterIP"), "spec.clusterIP"))) {
                throw new InvalidObject("spec.clusterIPs[0]", "must equal spec.clusterIP (" + cip + ")");
            }
        } else if (cip != null && !cip.isEmpty() && !"None".equals(cip)) {
            clusterIps.add(Fields.ip(Fields.at(doc, "spec.clusterIP"), "spec.clusterIP"));
        }
        if (clusterIps.size() == 2 && IpLiteral.family(clusterIps.get(0)).equals(IpLiteral.family(clusterIps.get(1)))) {
            throw new InvalidObject("spec.clusterIPs", "two addresses of the same family");
        }
        if (clusterIps.size() > 2) {
            throw new InvalidObject("spec.clusterIPs", "at most one address per family");
        }
        List<InetAddress> external = Fields.ips(doc, "spec.externalIPs");

        List<InetAddress> ingress = new ArrayList<>();
        List<JsonNode> ing = Fields.list(doc, "status.loadBalancer.ingress", "");
        for (int i = 0; i < ing.size(); i++) {
            JsonNode e = ing.get(i);
            String where = "status.loadBalancer.ingress[" + i + "]";
            if (e.hasNonNull("ip")) {
                ingress.add(Fields.ip(e.get("ip"), where + ".ip"));
            } else if (e.hasNonNull("hostname")) {
                notes.add(where + ".hostname: '" + e.get("hostname").asText()
                        + "' is a DNS name, not programmed (only ingress IPs are)");
            }
        }

        List<KubeService.Port> ports = new ArrayList<>();
        List<JsonNode> ps = Fields.list(doc, "spec.ports", "");
        for (int i = 0; i < ps.size(); i++) {
            JsonNode p = ps.get(i);
            String where = "spec.ports[" + i + "]";
            if (!p.isObject()) {
                throw new InvalidObject(where, "expected a mapping");
            }
            Fields.unknownFields(p, where + ".", PORT_FIELDS, notes);
            String pname = p.hasNonNull("name") ? p.get("name").asText() : "";
            if (pname.isEmpty() && ps.size() > 1) {
                throw new InvalidObject(where + ".name", "required when a Service has more than one port");
            }
            int nodePort = p.hasNonNull("nodePort") ? Fields.port(p.get("nodePort"), where + ".nodePort", true) : 0;
            ports.add(new KubeService.Port(pname, Fields.protocol(p.get("protocol"), where + ".protocol"),
                    Fields.port(p.get("port"), where + ".port", false), nodePort));
        }

        boolean etpLocal = "Local".equals(Fields.oneOf(doc, "spec.externalTrafficPolicy", "Cluster", "Cluster", "Local"));
        boolean itpLocal = "Local".equals(Fields.oneOf(doc, "spec.internalTrafficPolicy", "Cluster", "Cluster", "Local"));
        String affinity = Fields.oneOf(doc, "spec.sessionAffinity", "None", "None", "ClientIP");
        int timeout = 0;
        if ("ClientIP".equals(affinity)) {
            timeout = DEFAULT_AFFINITY_TIMEOUT;
            JsonNode t = Fields.at(doc, "spec.sessionAffinityConfig.clientIP.timeoutSeconds");
            if (t != null) {
                if (!t.isIntegralNumber() || t.asLong() < 1 || t.asLong() > 86400) {
                    throw new InvalidObject("spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                            "expected 1-86400 seconds");
                }
                timeout = t.asInt();
            }
        }
        List<String> ranges = new ArrayList<>();
        List<JsonNode> rs = Fields.list(doc, "spec.loadBalancerSourceRanges", "");
        for (int i = 0; i < rs.size(); i++) {
            ranges.add(cidr(rs.get(i).asText(), "spec.loadBalancerSourceRanges[" + i + "]"));
        }
        JsonNode hc = Fields.at(doc, "spec.healthCheckNodePort");
        int hcPort = hc == null ? 0 : Fields.port(hc, "spec.healthCheckNodePort", true);
        String tdist = Fields.text(doc, "spec.trafficDistribution", "");
        if (tdist != null && !tdist.isEmpty()) {
            notes.add("spec.trafficDistribution: '" + tdist + "' is not applied (every endpoint is used)");
        }
        return new KubeService(ns, name, type, clusterIps, external, ingress, ports, etpLocal, itpLocal, timeout,
                ranges, hcPort, maglev, notes);
    }

    /** Validates a CIDR (address/prefix); returns it normalized to its text. */
    static String cidr(String s, String path) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new InvalidObject(path, "'" + s + "' is not a CIDR (address/prefix)");
        }
        InetAddress a;
        try {
            a = IpLiteral.parse(s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new InvalidObject(path, e.getMessage());
        }
        int max = a.getAddress().length * 8;
        int len;
        try {
            len = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new InvalidObject(path, "'" + s + "' has no prefix length");
        }
        if (len < 0 || len > max) {
            throw new InvalidObject(path, "prefix length " + len + " out of range 0-" + max);
        }
        return IpLiteral.format(a) + "/" + len;
    }

    public static EndpointSlice slice(JsonNode doc) {
        String name = Fields.required(doc, "metadata.name");
        String ns = Fields.text(doc, "metadata.namespace", "");
        ns = ns == null || ns.isEmpty() ? "default" : ns;
        JsonNode labels = Fields.at(doc, "metadata.labels");
        if (labels == null || !labels.hasNonNull(SERVICE_NAME_LABEL)) {
            throw new InvalidObject("metadata.labels." + SERVICE_NAME_LABEL, "required");
        }
        String svc = labels.get(SERVICE_NAME_LABEL).asText();
        String addressType = Fields.oneOf(doc, "addressType", null, "IPv4", "IPv6", "FQDN");
        if (addressType == null) {
            throw new InvalidObject("addressType", "required");
        }
        List<String> notes = new ArrayList<>();
        List<EndpointSlice.Endpoint> endpoints = new ArrayList<>();
        List<JsonNode> eps = Fields.list(doc, "endpoints", "");
        for (int i = 0; i < eps.size(); i++) {
            JsonNode ep = eps.get(i);
            String where = "endpoints[" + i + "]";
            Fields.unknownFields(ep, where + ".", ENDPOINT_FIELDS, notes);
            if (ep.hasNonNull("hints")) {
                notes.add(where + ".hints: topology hints are not applied (every endpoint is used)");
            }
            boolean ready = Fields.bool(Fields.at(ep, "conditions.ready"), where + ".conditions.ready", true);
            boolean serving = Fields.bool(Fields.at(ep, "conditions.serving"), where + ".conditions.serving", ready);
            boolean terminating = Fields.bool(Fields.at(ep, "conditions.terminating"), where + ".conditions.terminating", false);
            List<InetAddress> addrs = new ArrayList<>();
            List<JsonNode> as = Fields.list(ep, "addresses", where + ".");
            if (as.isEmpty()) {
                throw new InvalidObject(where + ".addresses", "required (at least one address)");
            }
            if (!"FQDN".equals(addressType)) {
                for (int j = 0; j < as.size(); j++) {
                    String path = where + ".addresses[" + j + "]";
                    InetAddress a = Fields.ip(as.get(j), path);
                    if (!IpLiteral.family(a).equals(addressType)) {
                        throw new InvalidObject(path, "'" + as.get(j).asText() + "' is not an " + addressType + " address");
                    }
                    addrs.add(a);
                }
            }
            String node = Fields.text(ep, "nodeName", where + ".");
            endpoints.add(new EndpointSlice.Endpoint(addrs, ready, serving, terminating, node));
        }
        if ("FQDN".equals(addressType)) {
            notes.add("addressType: FQDN endpoints are not load balanced (as kube-proxy does not)");
        }
        List<EndpointSlice.Port> ports = new ArrayList<>();
        List<JsonNode> ps = Fields.list(doc, "ports", "");
        for (int i = 0; i < ps.size(); i++) {
            JsonNode p = ps.get(i);
            String where = "ports[" + i + "]";
            String pname = p.hasNonNull("name") ? p.get("name").asText() : "";
            ports.add(new EndpointSlice.Port(pname, Fields.protocol(p.get("protocol"), where + ".protocol"),
                    Fields.port(p.get("port"), where + ".port", false)));
        }
        return new EndpointSlice(ns, name, svc, addressType, endpoints, ports, notes);
    }
}
