package io.gannet.l4lb.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.Protocol;
import io.gannet.cluster.k8s.EndpointSlice;
import io.gannet.cluster.k8s.KubeReader;
import io.gannet.cluster.k8s.KubeService;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The VIPs an L4LB host serves, read from a directory of Kubernetes YAML (*.yaml, *.yml,
 * several documents per file): every Service with {@code spec.externalIPs}, or of
 * {@code type: LoadBalancer} with {@code spec.loadBalancerIP} or
 * {@code status.loadBalancer.ingress[].ip}, whose address lies in the profile's VIP pool,
 * gets one {@link VipService} per port, with the endpoints of its EndpointSlices (matched by
 * port name) as backends: all of them, ready or not, each with its {@link Readiness}, so that a
 * readiness change leaves the VIP's Maglev base set (the same on every LB host) as it is and
 * only decides which backends take new flows.
 *
 * <p>Refused, each with a {@link Problem} and never in silence: a VIP outside the pool, a
 * backend that is one of this host's own addresses (traffic would loop), invalid
 * {@code gannet.io/} annotations, Service fields the L4LB does not implement
 * ({@code sessionAffinity: ClientIP}, {@code externalTrafficPolicy: Local},
 * {@code loadBalancerSourceRanges}). IPv4 and IPv6 VIPs alike; a VIP's backends are the
 * endpoints of its own family. A file that fails to parse keeps its last
 * good content. Not thread-safe: the L4LB's directory thread owns it.
 */
public final class VipCatalog {
    private static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    /**
     * The VIPs to serve and what was refused.
     *
     * @param listed false while the object source (the Kubernetes API) has not completed its first
     *               list (client-go's HasSynced): then {@code vips} is empty because nothing is known
     *               yet, not because there are no Services; always true for the directory
     */
    public record Result(List<VipService> vips, List<Problem> problems, boolean listed) {
        public Result(List<VipService> vips, List<Problem> problems) {
            this(vips, problems, true);
        }
    }

    /** One object and where it comes from ("FILE: document N", or the API's origin). */
    private record Doc(String origin, JsonNode node) {}

    private final Path dir;
    private final io.gannet.cluster.k8s.ObjectSource source;
    private List<Doc> lastFromSource = List.of();
    private boolean listed; // the source has listed once
    private VipPool pool;
    private final IntPredicate ownAddress;
    private final Predicate<Ipv6> ownAddress6;
    private final YAMLMapper yaml = new YAMLMapper();
    private final Map<Path, List<Doc>> lastGood = new HashMap<>();

    /**
     * @param ownAddress  true for an IPv4 address of this host (a backend there is refused)
     * @param ownAddress6 true for an IPv6 address of this host (likewise)
     */
    public VipCatalog(Path dir, VipPool pool, IntPredicate ownAddress, Predicate<Ipv6> ownAddress6) {
        this(dir, null, pool, ownAddress, ownAddress6);
    }

    /** The VIPs of the Services an object source (the Kubernetes API) gives. */
    public VipCatalog(io.gannet.cluster.k8s.ObjectSource source, VipPool pool, IntPredicate ownAddress,
            Predicate<Ipv6> ownAddress6) {
        this(null, source, pool, ownAddress, ownAddress6);
    }

    private VipCatalog(Path dir, io.gannet.cluster.k8s.ObjectSource source, VipPool pool, IntPredicate ownAddress,
            Predicate<Ipv6> ownAddress6) {
        this.source = source;
        this.dir = dir;
        this.pool = pool;
        this.ownAddress = ownAddress;
        this.ownAddress6 = ownAddress6;
    }

    public Path dir() {
        return dir;
    }

    /** The profile's VIP pool changed (a reload): the next {@link #reload} serves what lies in this one. */
    public void setPool(VipPool pool) {
        this.pool = pool;
    }

    public Result reload() {
        if (source != null) {
            List<io.gannet.cluster.k8s.ObjectSource.Named> objects = source.objects();
            if (objects != null) { // else not listed yet: what was read last stays
                lastFromSource = objects.stream().map(o -> new Doc(o.origin(), o.object())).toList();
                listed = true;
            }
            Result r = build(lastFromSource, new ArrayList<>());
            return new Result(r.vips(), r.problems(), listed);
        }
        List<Problem> problems = new ArrayList<>();
        Map<Path, List<Doc>> now = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            problems.add(new Problem(dir.toString(), "cannot list the directory: " + e.getMessage()));
            files = List.copyOf(lastGood.keySet());
        }
        for (Path f : files) {
            try {
                now.put(f, read(f));
            } catch (IOException | RuntimeException e) {
                String m = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("");
                List<Doc> prev = lastGood.get(f);
                problems.add(new Problem(f.toString(), m + (prev != null ? " (keeping its last good content)" : "")));
                if (prev != null) {
                    now.put(f, prev);
                }
            }
        }
        lastGood.clear();
        lastGood.putAll(now);
        return build(now.values().stream().flatMap(List::stream).toList(), problems);
    }

    private List<Doc> read(Path f) throws IOException {
        if (Files.size(f) > MAX_FILE_BYTES) {
            throw new IOException("file larger than " + MAX_FILE_BYTES + " bytes");
        }
        List<Doc> out = new ArrayList<>();
        int i = 0;
        try (MappingIterator<JsonNode> it = yaml.readerFor(JsonNode.class).readValues(f.toFile())) {
            while (it.hasNext()) {
                JsonNode d = it.next();
                i++;
                if (d == null || d.isNull() || d.isMissingNode() || (d.isObject() && d.isEmpty())) {
                    continue;
                }
                if (!d.isObject()) {
                    throw new IOException("document " + i + ": not a mapping");
                }
                out.add(new Doc(f + ": document " + i, d));
            }
        }
        return out;
    }

    private Result build(List<Doc> docs, List<Problem> problems) {
        Map<String, List<EndpointSlice>> slices = new HashMap<>();
        List<Doc> services = new ArrayList<>();
        for (Doc d : docs) {
            String kind = d.node.path("kind").asText("");
            try {
                switch (kind) {
                    case "Service" -> services.add(d);
                    case "EndpointSlice" -> {
                        EndpointSlice s = KubeReader.slice(d.node);
                        slices.computeIfAbsent(s.serviceKey(), k -> new ArrayList<>()).add(s);
                    }
                    default -> problems.add(new Problem(where(d), "kind '" + kind + "' is not Service or EndpointSlice: ignored"));
                }
            } catch (RuntimeException e) {
                problems.add(new Problem(where(d), e.getMessage()));
            }
        }
        List<VipService> out = new ArrayList<>();
        Set<Frontend> seen = new java.util.HashSet<>();
        for (Doc d : services) {
            try {
                service(d, slices, out, seen, problems);
            } catch (RuntimeException e) {
                problems.add(new Problem(where(d), e.getMessage()));
            }
        }
        return new Result(List.copyOf(out), List.copyOf(problems));
    }

    private void service(Doc d, Map<String, List<EndpointSlice>> slices, List<VipService> out, Set<Frontend> seen,
            List<Problem> problems) {
        JsonNode n = d.node;
        String where = where(d);
        KubeService svc = KubeReader.service(n);
        String type = n.path("spec").path("type").asText("ClusterIP");
        Set<String> addrs = new LinkedHashSet<>(); // canonical text, either family
        for (InetAddress a : svc.externalIps()) {
            addrs.add(vip(a.getHostAddress(), "spec.externalIPs"));
        }
        if ("LoadBalancer".equals(type)) {
            String lbip = n.path("spec").path("loadBalancerIP").asText("");
            if (!lbip.isBlank()) {
                addrs.add(vip(lbip, "spec.loadBalancerIP"));
            }
            JsonNode ingress = n.path("status").path("loadBalancer").path("ingress");
            for (int i = 0; i < ingress.size(); i++) {
                String a = ingress.get(i).path("ip").asText("");
                if (a.isBlank()) {
                    problems.add(new Problem(where, "status.loadBalancer.ingress[" + i + "]: no ip (hostname ingress is not supported)"));
                } else {
                    addrs.add(vip(a, "status.loadBalancer.ingress[" + i + "].ip"));
                }
            }
        }
        if (addrs.isEmpty()) {
            return; // a ClusterIP/NodePort Service without external addresses: not an L4LB VIP
        }
        Map<String, String> ann = ServiceAnnotations.of(n);
        for (String k : ServiceAnnotations.unknown(ann)) {
            problems.add(new Problem(where, "annotation " + k + " is not known: ignored"));
        }
        String algo = ann.get("lb-algorithm");
        if (algo != null && !"maglev".equalsIgnoreCase(algo.trim())) {
            problems.add(new Problem(where, "annotation gannet.io/lb-algorithm: '" + algo
                    + "' is not used on an L4LB host: VIPs always use Maglev (every host must pick the same backend)"));
        }
        unsupported(n, where, problems);
        HealthCheckSpec check;
        Map<String, Integer> weights;
        try {
            check = ServiceAnnotations.healthCheck(ann);
            weights = ServiceAnnotations.weights(ann);
        } catch (ServiceAnnotations.Invalid e) {
            problems.add(new Problem(where, e.getMessage() + ": Service not served"));
            return;
        }
        List<EndpointSlice> own = slices.getOrDefault(svc.key(), List.of());
        for (String addr : addrs) {
            boolean v6 = addr.indexOf(':') >= 0;
            if (v6 ? !pool.contains(Ipv6.parse(addr)) : !pool.contains(Ipv4.parse(addr))) {
                problems.add(new Problem(where, "VIP " + addr + " is outside the profile's VIP pool " + pool + ": not served"));
                continue;
            }
            for (KubeService.Port p : svc.ports()) {
                Protocol protocol;
                try {
                    protocol = Protocol.parse(p.protocol());
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(where, "port " + p.port() + "/" + p.protocol() + ": not supported on an L4LB host (TCP and UDP are)"));
                    continue;
                }
                Frontend fe = Frontend.of(addr, p.port(), protocol);
                String name = svc.namespace() + "/" + svc.name() + (p.name().isEmpty() ? "" : ":" + p.name());
                if (!seen.add(fe)) {
                    problems.add(new Problem(where, "frontend " + fe + " is also defined by another Service: not served twice"));
                    continue;
                }
                List<WeightedBackend> backends = new ArrayList<>();
                Map<Backend, Readiness> readiness = new HashMap<>();
                boolean otherFamily = false;
                for (EndpointSlice s : own) {
                    for (EndpointSlice.Port sp : s.ports()) {
                        if (!sp.name().equals(p.name()) || !sp.protocol().equals(p.protocol())) {
                            continue;
                        }
                        otherFamily |= !endpoints(s, !v6).isEmpty();
                        for (Map.Entry<String, Readiness> a : endpoints(s, v6).entrySet()) {
                            Backend b = Backend.of(a.getKey(), sp.port());
                            if (v6 ? ownAddress6.test(b.addr6()) : ownAddress.test(b.addr())) {
                                problems.add(new Problem(where, "backend " + b + " (EndpointSlice " + s.name()
                                        + ") is an address of this L4LB host itself: refused, traffic would loop"));
                                continue;
                            }
                            backends.add(new WeightedBackend(b, ServiceAnnotations.weightOf(weights, b)));
                            readiness.merge(b, a.getValue(), (x, y) -> x.compareTo(y) <= 0 ? x : y);
                        }
                    }
                }
                if (backends.isEmpty() && otherFamily) {
                    problems.add(new Problem(where, "frontend " + fe + ": its EndpointSlices have only " + (v6 ? "IPv4" : "IPv6")
                            + " endpoints; a VIP's backends are of its own family (no NAT46/64): none to serve"));
                }
                out.add(new VipService(name, fe, backends, check, readiness));
            }
        }
    }

    private static void unsupported(JsonNode n, String where, List<Problem> problems) {
        JsonNode spec = n.path("spec");
        if ("ClientIP".equals(spec.path("sessionAffinity").asText(""))) {
            problems.add(new Problem(where, "spec.sessionAffinity: ClientIP is not supported on an L4LB host (Maglev already keeps a flow on its backend): ignored"));
        }
        if ("Local".equals(spec.path("externalTrafficPolicy").asText(""))) {
            problems.add(new Problem(where, "spec.externalTrafficPolicy: Local is not supported on an L4LB host (backends are remote): treated as Cluster"));
        }
        if (spec.path("loadBalancerSourceRanges").size() > 0) {
            problems.add(new Problem(where, "spec.loadBalancerSourceRanges is not supported: every source is admitted"));
        }
    }

    /** An IPv4 or IPv6 VIP literal in its canonical text ("203.0.113.10", "2001:db8::10"). */
    private static String vip(String s, String path) {
        try {
            return s.indexOf(':') >= 0 ? Ipv6.parse(s).format() : Ipv4.format(Ipv4.parse(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage());
        }
    }

    private static String where(Doc d) {
        String kind = d.node.path("kind").asText("?");
        JsonNode md = d.node.path("metadata");
        return d.origin + " (" + kind + " " + md.path("namespace").asText("default") + "/" + md.path("name").asText("?") + ")";
    }

    /**
     * The addresses of a slice's endpoints of one family, as text, with their readiness: every
     * endpoint, ready or not (an address listed twice keeps its most capable readiness).
     */
    private static Map<String, Readiness> endpoints(EndpointSlice s, boolean ipv6) {
        Map<String, Readiness> out = new java.util.LinkedHashMap<>();
        for (EndpointSlice.Endpoint e : s.endpoints()) {
            Readiness r = Readiness.of(e);
            for (InetAddress a : e.addresses()) {
                String text = null;
                if (a instanceof Inet6Address v6 && ipv6) {
                    text = Ipv6.of(v6.getAddress()).format();
                } else if (a instanceof Inet4Address && !ipv6) {
                    text = a.getHostAddress();
                }
                if (text != null) {
                    out.merge(text, r, (x, y) -> x.compareTo(y) <= 0 ? x : y);
                }
            }
        }
        return out;
    }
}
