package io.gannet.agent.run;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.linux.netlink.Address;
import io.gannet.linux.netlink.Link;
import io.gannet.linux.netlink.RtNetlink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node addresses node ports are served on, and flows of external frontends are SNATed to
 * (externalTrafficPolicy Cluster; the first of each family): the global addresses of the host
 * devices (the devices the host program is attached to, {@code --host-device}), read when
 * Services are applied. A host device that is missing contributes nothing (and is named in the
 * error its attach already gave).
 */
final class NodeAddresses {
    private static final int RT_SCOPE_UNIVERSE = 0;

    private NodeAddresses() {}

    /** IPv4 addresses (as ints, network order) on {@code devices}, in device then kernel order. */
    static List<Integer> of(List<String> devices) {
        List<Integer> out = new ArrayList<>();
        for (Address a : global(devices, 2 /* AF_INET */)) {
            int v = ByteBuffer.wrap(a.prefix().address().getAddress()).getInt();
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Global IPv6 addresses on {@code devices} (no link-local ones), in device then kernel order. */
    static List<Ipv6> of6(List<String> devices) {
        List<Ipv6> out = new ArrayList<>();
        for (Address a : global(devices, 10 /* AF_INET6 */)) {
            Ipv6 v = Ipv6.of(a.prefix().address().getAddress());
            if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * The IPv6 address IPv6 masquerade gives pods' flows leaving by {@code device}: its first
     * global address (kernel order) that is neither temporary (RFC 8981 privacy addresses change
     * and go), deprecated (RFC 4862 5.5.4: not for new flows), tentative or failed duplicate
     * address detection (not usable as a source), nor link-local. Empty when it has none.
     */
    static Optional<Ipv6> masquerade6(String device) {
        for (Address a : global(List.of(device), 10 /* AF_INET6 */)) {
            if (a.temporary() || a.deprecated() || a.tentative() || a.dadFailed() || a.prefix().address().isLinkLocalAddress()) {
                continue;
            }
            return Optional.of(Ipv6.of(a.prefix().address().getAddress()));
        }
        return Optional.empty();
    }

    private static List<Address> global(List<String> devices, int family) {
        List<Address> out = new ArrayList<>();
        if (devices.isEmpty()) {
            return out;
        }
        try (RtNetlink nl = RtNetlink.open()) {
            for (String dev : devices) {
                Optional<Link> link = nl.links().byName(dev);
                if (link.isEmpty()) {
                    continue;
                }
                for (Address a : nl.addresses().dump(family, link.get().index())) {
                    if (a.scope() == RT_SCOPE_UNIVERSE && a.prefix().isIpv4() == (family == 2)) {
                        out.add(a);
                    }
                }
            }
        }
        return out;
    }

    static String format(List<Integer> addrs) {
        return addrs.stream().map(Ipv4::format).toList().toString();
    }
}
