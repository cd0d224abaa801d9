package io.gannet.linux.netlink;

import io.gannet.linux.Errno;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Interface addresses over rtnetlink (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR). */
public final class Addresses {
    private final NetlinkSocket socket;

    Addresses(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds {@code prefix} (host bits kept, e.g. 10.1.0.5/32) to {@code link}; EEXIST when present. */
    public void add(Link link, Prefix prefix) {
        socket.execute("add address " + prefix + " to " + link.name(), Nl.RTM_NEWADDR, Nl.F_CREATE | Nl.F_EXCL,
                w -> encode(w, link.index(), prefix, true));
    }

    /** Adds or keeps {@code prefix} on {@code link}. */
    public void replace(Link link, Prefix prefix) {
        socket.execute("set address " + prefix + " on " + link.name(), Nl.RTM_NEWADDR, Nl.F_CREATE | Nl.F_REPLACE,
                w -> encode(w, link.index(), prefix, true));
    }

    public void delete(Link link, Prefix prefix) {
        socket.execute("delete address " + prefix + " from " + link.name(), Nl.RTM_DELADDR, 0,
                w -> encode(w, link.index(), prefix, false));
    }

    public boolean deleteIfPresent(Link link, Prefix prefix) {
        try {
            delete(link, prefix);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EADDRNOTAVAIL || e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** Addresses of one family (0: all) on one link (0: all). */
    public List<Address> dump(int family, int ifindex) {
        List<Address> out = new ArrayList<>();
        socket.dump("list addresses", Nl.RTM_GETADDR, w -> w.u8(family).u8(0).u8(0).u8(0).u32(0), (type, r, body, end) -> {
            if (type != Nl.RTM_NEWADDR) {
                return;
            }
            int len = r.u8(body + 1);
            int[] flags = {r.u8(body + 2)};
            int scope = r.u8(body + 3);
            int index = r.u32(body + 4);
            InetAddress[] local = {null};
            InetAddress[] address = {null};
            r.attrs(body + Nl.IFADDRMSG_LEN, end, (t, at, l) -> {
                if (t == Nl.IFA_LOCAL) {
                    local[0] = r.address(at, l);
                } else if (t == Nl.IFA_ADDRESS) {
                    address[0] = r.address(at, l);
                } else if (t == Nl.IFA_FLAGS && l >= 4) {
                    flags[0] = r.u32(at); // all of the flags (the header has the low 8 bits only)
                }
            });
            InetAddress a = local[0] != null ? local[0] : address[0];
            if (a != null && (ifindex == 0 || ifindex == index)) {
                out.add(new Address(index, new Prefix(a, len), scope, flags[0]));
            }
        });
        return out;
    }

    private static void encode(NlWriter w, int index, Prefix p, boolean add) {
        w.u8(p.family()).u8(p.length()).u8(p.isIpv4() || !add ? 0 : Nl.IFA_F_NODAD).u8(0).u32(index);
        w.attrAddress(Nl.IFA_LOCAL, p.address());
        w.attrAddress(Nl.IFA_ADDRESS, p.address());
    }
}
