package io.gannet.linux.netlink;

import io.gannet.linux.Errno;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** Neighbour (ARP / NDP) entries over rtnetlink (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH). */
public final class Neighbours {
    private final NetlinkSocket socket;

    Neighbours(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Adds or replaces a permanent entry {@code address lladdr mac dev link}. */
    public void replacePermanent(Link link, InetAddress address, byte[] lladdr) {
        socket.execute("set neighbour " + address.getHostAddress() + " on " + link.name(), Nl.RTM_NEWNEIGH,
                Nl.F_CREATE | Nl.F_REPLACE, w -> {
                    ndmsg(w, address, link.index(), Nl.NUD_PERMANENT);
                    w.attrAddress(Nl.NDA_DST, address);
                    w.attr(Nl.NDA_LLADDR, lladdr);
                });
    }

    public boolean deleteIfPresent(Link link, InetAddress address) {
        try {
            socket.execute("delete neighbour " + address.getHostAddress() + " on " + link.name(), Nl.RTM_DELNEIGH, 0, w -> {
                ndmsg(w, address, link.index(), 0);
                w.attrAddress(Nl.NDA_DST, address);
            });
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** Neighbour entries of one family (0: all) on one link (0: all). */
    public List<Neighbour> dump(int family, int ifindex) {
        List<Neighbour> out = new ArrayList<>();
        socket.dump("list neighbours", Nl.RTM_GETNEIGH, w -> w.u8(family).u8(0).u16(0).u32(0).u16(0).u8(0).u8(0),
                (type, r, body, end) -> {
                    if (type != Nl.RTM_NEWNEIGH) {
                        return;
                    }
                    int index = r.u32(body + 4);
                    int state = r.u16(body + 8);
                    InetAddress[] dst = {null};
                    byte[][] ll = {null};
                    r.attrs(body + Nl.NDMSG_LEN, end, (t, at, l) -> {
                        if (t == Nl.NDA_DST) {
                            dst[0] = r.address(at, l);
                        } else if (t == Nl.NDA_LLADDR) {
                            ll[0] = r.bytes(at, l);
                        }
                    });
                    if (dst[0] != null && (ifindex == 0 || ifindex == index)) {
                        out.add(new Neighbour(index, dst[0], ll[0], state));
                    }
                });
        return out;
    }

    private static void ndmsg(NlWriter w, InetAddress a, int index, int state) {
        w.u8(a.getAddress().length == 4 ? 2 : 10).u8(0).u16(0).u32(index).u16(state).u8(0).u8(0);
    }
}
