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
 * {@code {"address": "10.244.2.7"}}: the pod's IPv4 address, or its IPv6 address when it has
 * none (an IPv6-only pod; policy maps only IPv4 addresses to identities, so such a pod has an
 * identity but no address other nodes' IPv4 policy could match).
 */
public record PublishedPod(String node, String namespace, String name, String address) {
    public static final String PREFIX = "/gannet/pods/";
    private static final ObjectMapper JSON = new ObjectMapper();

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
        try {
            JsonNode n = JSON.readTree(value);
            address = n.path("address").asText("");
            boolean v4 = address.matches("\\d{1,3}(\\.\\d{1,3}){3}") && InetAddress.getByName(address) instanceof Inet4Address;
            boolean v6 = address.matches("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*") && InetAddress.getByName(address) instanceof Inet6Address;
            if (!v4 && !v6) {
                problem.append("store key ").append(key).append(": address '").append(address).append("' is not an IPv4 or IPv6 address");
                return Optional.empty();
            }
        } catch (UnknownHostException | com.fasterxml.jackson.core.JsonProcessingException e) {
            problem.append("store key ").append(key).append(": value is not {\"address\": \"IPv4 or IPv6 address\"}");
            return Optional.empty();
        }
        return Optional.of(new PublishedPod(parts[0], parts[1], parts[2], address));
    }
}
