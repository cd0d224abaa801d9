package io.gannet.topology.config;

/** The two fabric designs a profile can describe. */
public enum FabricModel {
    /** Access-aggregation-core: every node keeps iBGP sessions with core switches in the data center's AS. */
    IBGP_CORE("ibgp-core"),
    /** Spine-leaf: every node keeps eBGP sessions with its rack's leaf switches; ASNs follow a scheme. */
    EBGP_LEAF("ebgp-leaf");

    private final String yamlName;

    FabricModel(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
