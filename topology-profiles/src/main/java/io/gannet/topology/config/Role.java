package io.gannet.topology.config;

/** What a host does in the fabric, which decides what it announces. */
public enum Role {
    /** A Kubernetes node: announces its PodCIDR. */
    NODE("node"),
    /** An edge L4 load balancer: announces /32 service VIPs, several hosts at once for ECMP. */
    L4LB("l4lb"),
    /**
     * A router: a core, a route server, a lab's Gannet core. Imports every route and re-exports
     * it (transit), reflects routes between its iBGP neighbors (they are its route-reflector
     * clients, RFC 4456); originates nothing of its own. The announce-only defaults of nodes
     * and l4lb hosts are unchanged.
     */
    ROUTER("router");

    private final String yamlName;

    Role(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
