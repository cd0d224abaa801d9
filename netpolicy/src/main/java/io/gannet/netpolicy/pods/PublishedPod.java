package io.gannet.netpolicy.pods;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * A pod as its node publishes it: {@value #PREFIX}{@code <node>/<namespace>/<name>} ->
 * {@code {"address": "10.244.2.7", "address6": "fd00:10:244:2::7"}}: the pod's IPv4 address, or
 * its IPv6 address when it has none (an IPv6-only pod), and a dual-stack pod's IPv6 address as
 * {@code address6} (absent otherwise; a value without it, as older nodes write, reads as a pod
 * with one address). Every address maps to the pod's identity in other nodes' policy.
 */
public record PublishedPod(String node, String namespace, String name, String address, String address6) {
    public static final String PREFIX = "/gannet/pods/";
    private static final ObjectMapper JSON = new ObjectMapper();

    public PublishedPod {
        address6 = address6 == null ? "" : address6;
    }

    /** A pod with one address. */
    public PublishedPod(String node, String namespace, String name, String address) {
        this(node, namespace, name, address, "");
    }

    /** Its addresses: {@code address}, then {@code address6} if any. */
    public java.util.List<String> addresses() {
        return address6.isEmpty() ? java.util.List.of(address) : java.util.List.of(address, address6);
    }

    /** "namespace/name". */
    public String key() {
        return namespace + "/" + name;
    }

    public String storeKey() {
        return PREFIX + node + "/" + namespace + "/" + name;
    }

    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("address", address);
        if (!address6.isEmpty()) {
            n.put("address6", address6);
        }
        return n.toString();
    }

    /** The pod a store entry describes, or empty (with {@code problem} set) when the key or value does not read. */
    public static Optional<PublishedPod> fromStore(String key, String value, StringBuilder problem) {
        if (!key.startsWith(PREFIX)) {
            problem.append("store key ").append(key).append(" is not under ").append(PREFIX);
            return Optional.empty();
        }
        String[] parts = key.substring(PREFIX.length()).split("/", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            problem.append("store key ").append(key).append(": expected ").append(PREFIX).append("NODE/NAMESPACE/NAME");
            return Optional.empty();
        }
        String address;
        String address6;
        try {
            JsonNode n = JSON.readTree(value);
            address = n.path("address").asText("");
            address6 = n.path("address6").asText("");
            if (!address6.isEmpty() && !(address6.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
                    && InetAddress.getByName(address6) instanceof Inet6Address)) {
                problem.append("store key ").append(key).append(": address6 '").append(address6).append("' is not an IPv6 address");
                return Optional.empty();
            }
            boolean v4 = address.matches("\\d{1,3}(\\.\\d{1,3}){3}") && InetAddress.getByName(address) instanceof Inet4Address;
            boolean v6 = address.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*") && InetAddress.getByName(address) instanceof Inet6Address;
            if (!v4 && !v6) {
                problem.append("store key ").append(key).append(": address '").append(address).append("' is not an IPv4 or IPv6 address");
                return Optional.empty();
            }
        } catch (UnknownHostException | com.fasterxml.jackson.core.JsonProcessingException e) {
            problem.append("store key ").append(key).append(": value is not {\"address\": \"IPv4 or IPv6 address\"[, \"address6\": \"IPv6 address\"]}");
            return Optional.empty();
        }
        return Optional.of(new PublishedPod(parts[0], parts[1], parts[2], address, address6));
    }
}
