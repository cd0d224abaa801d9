package io.gannet.topology.model;

import io.gannet.topology.yaml.YNode.YMap;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code spec.inventory.switches[]}: a leaf (with a rack) or a core switch (without).
 * Null fields were missing or invalid and have been reported.
 *
 * @param interfaceName for unnumbered peering, the hosts' interface to this switch (then no addresses), or null
 * @param port TCP port the switch's BGP listens on (179 default; demos use unprivileged ports)
 * @param families address families the hosts' sessions with this switch carry, or null (the profile's)
 * @param extendedMessage whether those sessions advertise RFC 8654, or null (the profile's)
 */
public record SwitchSpec(String name, String rack, List<Located<InetAddress>> addresses, String interfaceName, Long asn, Integer port,
        Inet4Address routerId, Md5Ref md5, Integer maxPaths, List<io.gannet.topology.config.BgpFamily> families,
        Boolean extendedMessage, YMap source) {
    public SwitchSpec {
        addresses = List.copyOf(addresses);
    }

    /** Peered over the hosts' link-local addresses on {@link #interfaceName}, not an address. */
    public boolean unnumbered() {
        return interfaceName != null;
    }
}
