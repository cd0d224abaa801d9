package io.gannet.topology.model;

/** How hosts get their AS numbers from {@code spec.asn.base}. */
public enum AsnScheme {
    /** Every host its own AS: base + the host's position among hosts without an override. */
    PER_NODE("per-node"),
    /** Every rack its own AS: base + the rack's position among racks without an override. */
    PER_RACK("per-rack"),
    /** One AS for all hosts: the base. */
    SINGLE("single");

    private final String yamlName;

    AsnScheme(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
