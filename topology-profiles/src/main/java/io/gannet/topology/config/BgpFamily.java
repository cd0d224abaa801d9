package io.gannet.topology.config;

/**
 * An address family a BGP session carries (RFC 4760 AFI/SAFI): the profile's {@code families}
 * lists these by their YAML names. Only unicast is carried.
 */
public enum BgpFamily {
    IPV4_UNICAST("ipv4"),
    IPV6_UNICAST("ipv6");

    private final String yamlName;

    BgpFamily(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
