package io.gannet.agent.run;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.linux.netlink.Address;
import io.gannet.linux.netlink.Link;
import io.gannet.linux.netlink.RtNetlink;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node addresses node ports are served on: the global IPv4 addresses of the host devices
 * (the devices the host program is attached to, {@code --host-device}), read when Services are
 * applied. A host device that is missing contributes nothing (and is named in the error its
 * attach already gave).
 */
final class NodeAddresses {
    private static final int RT_SCOPE_UNIVERSE = 0;

    private NodeAddresses() {}

    /** IPv4 addresses (as ints, network order) on {@code devices}, in device then kernel order. */
    static List<Integer> of(List<String> devices) {
        List<Integer> out = new ArrayList<>();
        if (devices.isEmpty()) {
            return out;
        }
        try (RtNetlink nl = RtNetlink.open()) {
            for (String dev : devices) {
                Optional<Link> link = nl.links().byName(dev);
                if (link.isEmpty()) {
                    continue;
                }
                for (Address a : nl.addresses().dump(2 /* AF_INET */, link.get().index())) {
                    if (a.scope() == RT_SCOPE_UNIVERSE && a.prefix().isIpv4()) {
                        int v = ByteBuffer.wrap(a.prefix().address().getAddress()).getInt();
                        if (!out.contains(v)) {
                            out.add(v);
                        }
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
