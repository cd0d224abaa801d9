package io.gannet.topology.config;

/** What a host does in the fabric, which decides what it announces. */
public enum Role {
    /** A Kubernetes node: announces its PodCIDR. */
    NODE("node"),
    /** An edge L4 load balancer: announces /32 service VIPs, several hosts at once for ECMP. */
    L4LB("l4lb");

    private final String yamlName;

    Role(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
