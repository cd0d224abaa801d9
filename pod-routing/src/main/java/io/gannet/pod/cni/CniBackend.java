package io.gannet.pod.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gannet.linux.Errno;
import io.gannet.linux.SysException;
import io.gannet.linux.netlink.Prefix;
import io.gannet.pod.ipam.AllocationRequest;
import io.gannet.pod.ipam.Assignment;
import io.gannet.pod.ipam.FixedIpKey;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.ipam.IpamException;
import io.gannet.pod.ipam.NodeIpam;
import io.gannet.pod.ipam.PodAddresses;
import io.gannet.pod.wiring.HostVethName;
import io.gannet.pod.wiring.PodAttachment;
import io.gannet.pod.wiring.PodNetwork;
import io.gannet.pod.wiring.PodRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one CNI call (see the package comment): a pure function of the request and the
 * node's state, answering a CNI result or error with the exit code the plugin must return.
 * One thread (the CNI worker).
 */
public final class CniBackend {
    private static final Logger LOG = LoggerFactory.getLogger(CniBackend.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String PLUGIN_TYPE = "gannet";
    public static final List<String> SUPPORTED_VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    /** Top-level keys of the plugin's network configuration Gannet implements. */
    private static final Set<String> CONFIG_KEYS = Set.of("cniVersion", "name", "type", "mtu", "socket", "dns",
            "prevResult", "runtimeConfig", "args", "capabilities", "cni.dev/valid-attachments");

    /** The answer: what the plugin prints and its exit code. */
    public record Answer(int exitCode, String stdout) {}

    /** Where the backend reports each attachment change for the operator's log. */
    @FunctionalInterface
    public interface Events {
        void event(String action, String subject, String detail);
    }

    private final PodAddresses addresses;
    private final PodNetwork network;
    private final PodRegistry registry;
    private final Events events;

    /**
     * @param ipams one IPAM per block of the node, IPv4 first: each pod gets one address from
     *              each (one IPAM: a single-stack node; two: dual-stack)
     */
    public CniBackend(List<NodeIpam> ipams, PodNetwork network, PodRegistry registry, Events events) {
        this.addresses = new PodAddresses(ipams);
        this.network = network;
        this.registry = registry;
        this.events = events;
    }

    /** A single-stack node: every pod gets one address from {@code ipam}. */
    public CniBackend(NodeIpam ipam, PodNetwork network, PodRegistry registry, Events events) {
        this(List.of(ipam), network, registry, events);
    }

    /** The attachments wired now (show, tests). */
    public List<PodAttachment> attachments() {
        return registry.all();
    }

    public Answer handle(Map<String, String> env, byte[] stdin) {
        String version = "1.1.0";
        try {
            String command = env.getOrDefault("CNI_COMMAND", "");
            JsonNode config = command.equals("VERSION") && stdin.length == 0 ? JSON.createObjectNode() : parse(stdin);
            if (config.hasNonNull("cniVersion")) {
                version = config.get("cniVersion").asText();
            }
            return switch (command) {
                case "VERSION" -> new Answer(0, versionResult(version));
                case "ADD" -> new Answer(0, add(env, checkConfig(config, command)));
                case "DEL" -> {
                    del(env, checkConfig(config, command));
                    yield new Answer(0, "");
                }
                case "CHECK" -> {
                    check(env, checkConfig(config, command));
                    yield new Answer(0, "");
                }
                case "GC" -> {
                    gc(checkConfig(config, command));
                    yield new Answer(0, "");
                }
                case "STATUS" -> {
                    status(checkConfig(config, command));
                    yield new Answer(0, "");
                }
                case "" -> throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND is not set");
                default -> throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_COMMAND '" + command
                        + "' is not one of ADD, DEL, CHECK, VERSION, GC, STATUS");
            };
        } catch (CniError e) {
            return error(version, e);
        } catch (RuntimeException e) {
            LOG.error("CNI call failed", e);
            return error(version, new CniError(CniError.IO_FAILURE, "internal error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        }
    }

    /** An error as CNI error JSON, exit code 1. */
    public static Answer error(String version, CniError e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cniVersion", SUPPORTED_VERSIONS.contains(version) ? version : "1.1.0");
        o.put("code", e.code());
        o.put("msg", e.getMessage());
        if (!e.details().isEmpty()) {
            o.put("details", e.details());
        }
        return new Answer(1, o.toString());
    }

    private static JsonNode parse(byte[] stdin) {
        try {
            JsonNode n = JSON.readTree(stdin);
            if (n == null || !n.isObject()) {
                throw new CniError(CniError.DECODE_FAILURE, "the network configuration on stdin is not a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new CniError(CniError.DECODE_FAILURE, "the network configuration on stdin is not valid JSON: "
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (java.io.IOException e) {
            throw new CniError(CniError.DECODE_FAILURE, "cannot read the network configuration: " + e.getMessage());
        }
    }

    private static String versionResult(String version) {
        ObjectNode o = JSON.createObjectNode();
        o.put("cniVersion", "1.1.0");
        ArrayNode a = o.putArray("supportedVersions");
        SUPPORTED_VERSIONS.forEach(a::add);
        return o.toString();
    }

    /** Validates the network configuration: every key is implemented or refused by name. */
    private static JsonNode checkConfig(JsonNode c, String command) {
        String version = text(c, "cniVersion");
        if (version.isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "network configuration: cniVersion is missing");
        }
        if (!SUPPORTED_VERSIONS.contains(version)) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "cniVersion " + version + " is not supported",
                    "supported: " + String.join(", ", SUPPORTED_VERSIONS));
        }
        if ((command.equals("GC") || command.equals("STATUS")) && compare(version, "1.1.0") < 0) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, command + " needs cniVersion 1.1.0, the configuration says " + version);
        }
        if (command.equals("CHECK") && compare(version, "0.4.0") < 0) {
            throw new CniError(CniError.INCOMPATIBLE_VERSION, "CHECK needs cniVersion 0.4.0 or later, the configuration says " + version);
        }
        if (text(c, "name").isEmpty()) {
            throw new CniError(CniError.INVALID_CONFIG, "network configuration: name is missing");
        }
        if (!PLUGIN_TYPE.equals(text(c, "type"))) {
            throw new CniError(CniError.INVALID_CONFIG, "network configuration: type is '" + text(c, "type") + "', this plugin is 'gannet'");
        }
        for (Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!CONFIG_KEYS.contains(k)) {
                throw new CniError(CniError.UNSUPPORTED_FIELD, "network configuration: unsupported field " + k + "=" + c.get(k),
                        k.equals("ipam") ? "Gannet allocates from the node's IPAM (gannet show ipam); remove 'ipam'" : "");
            }
        }
        if (c.has("mtu") && (!c.get("mtu").canConvertToInt() || c.get("mtu").asInt() < 68 || c.get("mtu").asInt() > 65535)) {
            throw new CniError(CniError.INVALID_CONFIG, "network configuration: mtu " + c.get("mtu") + " is not 68..65535");
        }
        for (String k : List.of("runtimeConfig", "args", "capabilities")) {
            JsonNode n = c.get(k);
            if (n != null && !(n.isObject() && n.isEmpty())) {
                throw new CniError(CniError.UNSUPPORTED_FIELD, "network configuration: unsupported field " + k + "=" + n,
                        "Gannet declares no capabilities and reads no args from the configuration");
            }
        }
        return c;
    }

    private static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 3; i++) {
            int d = Integer.parseInt(x[i]) - Integer.parseInt(y[i]);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static String text(JsonNode c, String k) {
        JsonNode n = c.get(k);
        return n == null || n.isNull() ? "" : n.asText();
    }

    private static String require(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, name + " is not set");
        }
        return v;
    }

    private static String ifName(Map<String, String> env) {
        String n = require(env, "CNI_IFNAME");
        if (n.length() > 15 || n.contains("/") || n.contains(" ") || n.equals(".") || n.equals("..")) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_IFNAME '" + n + "' is not a valid interface name (1-15 characters)");
        }
        return n;
    }

    private String add(Map<String, String> env, JsonNode config) {
        String containerId = require(env, "CNI_CONTAINERID");
        String netns = require(env, "CNI_NETNS");
        String ifName = ifName(env);
        require(env, "CNI_PATH");
        CniArgs args = CniArgs.parse(env.get("CNI_ARGS"));
        if (!Files.exists(Path.of(netns))) {
            throw new CniError(CniError.UNKNOWN_CONTAINER, "network namespace " + netns + " does not exist");
        }
        Optional<PodAttachment> existing = registry.get(containerId, ifName);
        if (existing.isPresent()) {
            throw new CniError(CniError.ALREADY_ATTACHED, "container " + containerId + " interface " + ifName
                    + " is already attached (" + String.join(", ", existing.get().addresses()) + " on " + existing.get().hostVeth()
                    + "); the runtime must DEL it first", "netns " + existing.get().netns());
        }
        String podNs = args.get("K8S_POD_NAMESPACE");
        String podName = args.get("K8S_POD_NAME");
        Optional<FixedIpKey> fixed = Optional.empty();
        if (!args.get("GANNET_STATEFULSET").isEmpty()) {
            try {
                fixed = FixedIpKey.ofPod(podNs, args.get("GANNET_STATEFULSET"), podName);
            } catch (IllegalArgumentException e) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_ARGS: " + e.getMessage());
            }
            if (fixed.isEmpty()) {
                throw new CniError(CniError.INVALID_ENVIRONMENT, "CNI_ARGS: pod '" + podName + "' is not a pod of StatefulSet '"
                        + args.get("GANNET_STATEFULSET") + "' (<statefulset>-<ordinal>)");
            }
        }
        AllocationRequest request;
        try {
            request = new AllocationRequest(containerId, ifName, podNs, podName, fixed);
        } catch (IllegalArgumentException e) {
            throw new CniError(CniError.INVALID_ENVIRONMENT, e.getMessage());
        }
        List<Assignment> assigned;
        try {
            assigned = addresses.allocate(request);
        } catch (IpamException e) {
            boolean bad = e.reason() == IpamException.Reason.BAD_REQUEST;
            throw new CniError(bad ? CniError.INVALID_ENVIRONMENT : CniError.NO_ADDRESS, e.getMessage());
        }
        int mtu = config.has("mtu") ? config.get("mtu").asInt() : 0;
        PodAttachment att;
        try {
            att = wire(containerId, ifName, netns, assigned, podNs, podName, mtu);
        } catch (RuntimeException e) {
            addresses.release(containerId, ifName);
            throw asCniError("ADD " + containerId + " (" + PodAddresses.cidrs(assigned) + ")", e);
        }
        registry.put(att);
        events.event("cni add", containerId, String.join(", ", att.addresses()) + " on " + att.hostVeth()
                + (podName.isEmpty() ? "" : " pod " + podNs + "/" + podName));
        return result(config, att);
    }

    private PodAttachment wire(String containerId, String ifName, String netns, List<Assignment> assigned, String podNs,
                               String podName, int mtu) {
        PodNetwork.Wiring w = new PodNetwork.Wiring(containerId, ifName, Path.of(netns), assigned.stream().map(Assignment::address).toList(),
                assigned.stream().map(Assignment::gateway).toList(), podNs, podName, mtu);
        try {
            return network.add(w);
        } catch (SysException e) {
            if (e.errno() == Errno.EEXIST && e.getMessage().startsWith("create veth " + HostVethName.of(containerId, ifName))) {
                // A host veth left by a daemon that died in the middle of this container's ADD.
                network.delete(HostVethName.of(containerId, ifName), List.of());
                return network.add(w);
            }
            throw e;
        }
    }

    private static CniError asCniError(String what, RuntimeException e) {
        if (e instanceof CniError ce) {
            return ce;
        }
        if (e instanceof SysException se) {
            if (se.errno() == Errno.ENOENT && se.operation().startsWith("open network namespace")) {
                return new CniError(CniError.UNKNOWN_CONTAINER, se.getMessage());
            }
            if (se.errno() == Errno.EEXIST && se.operation().startsWith("create veth")) {
                return new CniError(CniError.ALREADY_ATTACHED, se.getMessage(),
                        "an interface of that name already exists in the pod's network namespace");
            }
            return new CniError(CniError.KERNEL_REFUSED, what + " failed: " + se.getMessage());
        }
        return new CniError(CniError.IO_FAILURE, what + " failed: " + e.getMessage());
    }

    private void del(Map<String, String> env, JsonNode config) {
        String containerId = require(env, "CNI_CONTAINERID");
        String ifName = ifName(env);
        CniArgs.parse(env.get("CNI_ARGS"));
        Optional<PodAttachment> att = registry.get(containerId, ifName);
        String hostName = att.map(PodAttachment::hostVeth).orElse(HostVethName.of(containerId, ifName));
        List<InetAddress> ips = att.map(PodAttachment::inetAddresses).orElseGet(() -> addresses.held(containerId, ifName));
        try {
            network.delete(hostName, ips);
        } catch (RuntimeException e) {
            throw asCniError("DEL " + containerId, e);
        }
        List<Assignment> released = addresses.release(containerId, ifName);
        registry.remove(containerId, ifName);
        if (att.isPresent() || !released.isEmpty()) {
            events.event("cni del", containerId, (ips.isEmpty() ? "" : String.join(", ",
                    ips.stream().map(IpBlock::format).toList()) + " ") + "from " + hostName);
        }
    }

    private void check(Map<String, String> env, JsonNode config) {
        String containerId = require(env, "CNI_CONTAINERID");
        require(env, "CNI_NETNS");
        String ifName = ifName(env);
        CniArgs.parse(env.get("CNI_ARGS"));
        PodAttachment att = registry.get(containerId, ifName).orElseThrow(() -> new CniError(CniError.UNKNOWN_CONTAINER,
                "container " + containerId + " interface " + ifName + " is not attached by Gannet"));
        JsonNode prev = config.get("prevResult");
        if (prev == null || !prev.isObject()) {
            throw new CniError(CniError.INVALID_CONFIG, "CHECK: prevResult is missing");
        }
        Set<Prefix> listed = new HashSet<>();
        for (JsonNode ip : prev.path("ips")) {
            try {
                listed.add(Prefix.host(ip.path("address").asText()));
            } catch (IllegalArgumentException e) {
                throw new CniError(CniError.INVALID_CONFIG, "CHECK: prevResult lists '" + ip.path("address").asText()
                        + "', not an address/length");
            }
        }
        List<String> missing = att.addresses().stream().filter(a -> !listed.contains(Prefix.host(a))).toList();
        if (!missing.isEmpty()) {
            throw new CniError(CniError.CHECK_FAILED, "CHECK: prevResult does not list " + String.join(", ", missing) + " for " + containerId);
        }
        List<String> problems;
        try {
            problems = network.check(att);
        } catch (RuntimeException e) {
            throw asCniError("CHECK " + containerId, e);
        }
        if (!problems.isEmpty()) {
            throw new CniError(CniError.CHECK_FAILED, "CHECK " + containerId + ": " + String.join("; ", problems));
        }
    }

    private void gc(JsonNode config) {
        JsonNode valid = config.get("cni.dev/valid-attachments");
        if (valid == null || !valid.isArray()) {
            throw new CniError(CniError.INVALID_CONFIG, "GC: cni.dev/valid-attachments is missing");
        }
        Set<String> keep = new HashSet<>();
        Set<String> keepVeths = new HashSet<>();
        for (JsonNode v : valid) {
            String id = v.path("containerID").asText();
            String ifn = v.path("ifname").asText();
            keep.add(id + "/" + ifn);
            keepVeths.add(HostVethName.of(id, ifn));
        }
        int removed = 0;
        for (PodAttachment a : registry.all()) {
            if (!keep.contains(a.key())) {
                network.delete(a.hostVeth(), a.inetAddresses());
                addresses.release(a.containerId(), a.ifName());
                registry.remove(a.containerId(), a.ifName());
                events.event("cni gc", a.containerId(), String.join(", ", a.addresses()) + " from " + a.hostVeth());
                removed++;
            }
        }
        removed += addresses.releaseUnless(keep::contains,
                (a, cidr) -> events.event("cni gc", a.containerId(), "address " + cidr + " held without an attachment"));
        for (String veth : network.hostVeths()) {
            if (!keepVeths.contains(veth)) {
                network.delete(veth, List.of());
                events.event("cni gc", veth, "host interface without an attachment");
                removed++;
            }
        }
        LOG.info("CNI GC: {} valid attachments, {} removed", keep.size(), removed);
    }

    /** Ready while every block has a free address: a pod needs one of each. */
    private void status(JsonNode config) {
        List<String> full = addresses.full();
        if (!full.isEmpty()) {
            throw new CniError(CniError.NOT_AVAILABLE, "no free pod address in " + String.join(" nor in ", full));
        }
    }

    /** The CNI result: prevResult (chained) with Gannet's interfaces, addresses and default routes appended. */
    private static String result(JsonNode config, PodAttachment att) {
        String version = text(config, "cniVersion");
        boolean legacy = compare(version, "1.0.0") < 0;
        JsonNode prev = config.get("prevResult");
        ObjectNode r = prev != null && prev.isObject() ? ((ObjectNode) prev).deepCopy() : JSON.createObjectNode();
        r.put("cniVersion", version);
        ArrayNode ifs = r.has("interfaces") && r.get("interfaces").isArray() ? (ArrayNode) r.get("interfaces") : r.putArray("interfaces");
        ifs.addObject().put("name", att.hostVeth()).put("mac", att.hostMac());
        int podIndex = ifs.size();
        ifs.addObject().put("name", att.ifName()).put("mac", att.podMac()).put("sandbox", att.netns());
        ArrayNode ips = r.has("ips") && r.get("ips").isArray() ? (ArrayNode) r.get("ips") : r.putArray("ips");
        ArrayNode routes = r.has("routes") && r.get("routes").isArray() ? (ArrayNode) r.get("routes") : r.putArray("routes");
        for (int i = 0; i < att.addresses().size(); i++) {
            boolean v4 = att.inetAddresses().get(i) instanceof Inet4Address;
            ObjectNode ip = ips.addObject();
            if (legacy) {
                ip.put("version", v4 ? "4" : "6");
            }
            ip.put("address", att.addresses().get(i)).put("gateway", att.gateways().get(i)).put("interface", podIndex);
            routes.addObject().put("dst", v4 ? "0.0.0.0/0" : "::/0").put("gw", att.gateways().get(i));
        }
        if (config.has("dns") && config.get("dns").isObject()) {
            r.set("dns", config.get("dns"));
        } else if (!r.has("dns")) {
            r.putObject("dns");
        }
        return r.toString();
    }
}
