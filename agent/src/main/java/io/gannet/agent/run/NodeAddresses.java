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
 * Services are applied and every 2 s after ({@link ServiceDatapath}). A host device that is missing contributes nothing (and is named in the
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

    /** Global IPv6 addresses on {@code devices} (no link-local ones), ordered by {@link #usable6}. */
    static List<Ipv6> of6(List<String> devices) {
        return usable6(global(devices, 10 /* AF_INET6 */));
    }

    /**
     * The IPv6 addresses node ports are served on, first the one Cluster flows are SNATed to:
     * preferred addresses first (device then kernel order), then temporary (RFC 8981) and
     * deprecated (RFC 4862 5.5.4) ones, which still receive but must not start flows; tentative
     * addresses and those that failed duplicate address detection are left out (not usable yet,
     * or not ours; one that passes DAD is taken at the next read).
     */
    static List<Ipv6> usable6(List<Address> addresses) {
        List<Ipv6> preferred = new ArrayList<>();
        List<Ipv6> other = new ArrayList<>();
        for (Address a : addresses) {
            if (!usable(a)) {
                continue;
            }
            Ipv6 v = Ipv6.of(a.prefix().address().getAddress());
            List<Ipv6> to = preferred(a) ? preferred : other;
            if (!preferred.contains(v) && !other.contains(v)) {
                to.add(v);
            }
        }
        preferred.addAll(other);
        return preferred;
    }

    /**
     * The IPv6 address IPv6 masquerade gives pods' flows leaving by {@code device}: its first
     * global address (kernel order) that is neither temporary (RFC 8981 privacy addresses change
     * and go), deprecated (RFC 4862 5.5.4: not for new flows), tentative or failed duplicate
     * address detection (not usable as a source), nor link-local. Empty when it has none.
     */
    static Optional<Ipv6> masquerade6(String device) {
        for (Address a : global(List.of(device), 10 /* AF_INET6 */)) {
            if (preferred(a)) {
                return Optional.of(Ipv6.of(a.prefix().address().getAddress()));
            }
        }
        return Optional.empty();
    }

    /** Neither tentative nor failed DAD, nor link-local: the address is ours and can be used. */
    private static boolean usable(Address a) {
        return !a.tentative() && !a.dadFailed() && !a.prefix().address().isLinkLocalAddress();
    }

    /** Usable, and neither temporary nor deprecated: fit to start a flow from. */
    private static boolean preferred(Address a) {
        return usable(a) && !a.temporary() && !a.deprecated();
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
