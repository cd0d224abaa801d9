package io.gannet.linux.netlink;

import io.gannet.linux.Errno;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Links over rtnetlink: veth pairs (the peer created directly in another namespace by fd, as
 * CNI plugins do), moving a link to a namespace, up/down, rename, MTU, delete, lookup, dump.
 *
 * <pre>
 * RTM_NEWLINK ifinfomsg | IFLA_IFNAME | IFLA_LINKINFO [ IFLA_INFO_KIND "veth"
 *     IFLA_INFO_DATA [ VETH_INFO_PEER [ ifinfomsg | IFLA_IFNAME | IFLA_NET_NS_FD ] ] ]
 * </pre>
 */
public final class Links {
    private final NetlinkSocket socket;

    Links(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * Creates a veth pair: {@code name} here, {@code peerName} in the namespace open as
     * {@code peerNetnsFd} (-1: here too). EEXIST when {@code name} is taken.
     */
    public void createVeth(String name, String peerName, int peerNetnsFd, int mtu) {
        checkName(name);
        checkName(peerName);
        socket.execute("create veth " + name + " (peer " + peerName + ")", Nl.RTM_NEWLINK, Nl.F_CREATE | Nl.F_EXCL, w -> {
            ifinfomsg(w, 0, 0, 0);
            w.attrString(Nl.IFLA_IFNAME, name);
            if (mtu > 0) {
                w.attrU32(Nl.IFLA_MTU, mtu);
            }
            int info = w.beginNest(Nl.IFLA_LINKINFO);
            w.attrString(Nl.IFLA_INFO_KIND, "veth");
            int data = w.beginNest(Nl.IFLA_INFO_DATA);
            int peer = w.beginNest(Nl.VETH_INFO_PEER);
            ifinfomsg(w, 0, 0, 0);
            w.attrString(Nl.IFLA_IFNAME, peerName);
            if (mtu > 0) {
                w.attrU32(Nl.IFLA_MTU, mtu);
            }
            if (peerNetnsFd >= 0) {
                w.attrU32(Nl.IFLA_NET_NS_FD, peerNetnsFd);
            }
            w.endNest(peer);
            w.endNest(data);
            w.endNest(info);
        });
    }

    /** Creates a dummy interface (tests, the node's loopback-style addresses). */
    public void createDummy(String name) {
        checkName(name);
        socket.execute("create dummy " + name, Nl.RTM_NEWLINK, Nl.F_CREATE | Nl.F_EXCL, w -> {
            ifinfomsg(w, 0, 0, 0);
            w.attrString(Nl.IFLA_IFNAME, name);
            int info = w.beginNest(Nl.IFLA_LINKINFO);
            w.attrString(Nl.IFLA_INFO_KIND, "dummy");
            w.endNest(info);
        });
    }

    /** Moves a link into the namespace open as {@code netnsFd}. */
    public void setNetns(Link link, int netnsFd) {
        socket.execute("move " + link.name() + " to another network namespace", Nl.RTM_NEWLINK, 0, w -> {
            ifinfomsg(w, link.index(), 0, 0);
            w.attrU32(Nl.IFLA_NET_NS_FD, netnsFd);
        });
    }

    public void setUp(Link link, boolean up) {
        socket.execute("set " + link.name() + (up ? " up" : " down"), Nl.RTM_NEWLINK, 0,
                w -> ifinfomsg(w, link.index(), up ? Nl.IFF_UP : 0, Nl.IFF_UP));
    }

    public void rename(Link link, String newName) {
        checkName(newName);
        socket.execute("rename " + link.name() + " to " + newName, Nl.RTM_NEWLINK, 0, w -> {
            ifinfomsg(w, link.index(), 0, 0);
            w.attrString(Nl.IFLA_IFNAME, newName);
        });
    }

    public void setMtu(Link link, int mtu) {
        socket.execute("set mtu " + mtu + " on " + link.name(), Nl.RTM_NEWLINK, 0, w -> {
            ifinfomsg(w, link.index(), 0, 0);
            w.attrU32(Nl.IFLA_MTU, mtu);
        });
    }

    /** Deletes a link (a veth takes its peer with it). */
    public void delete(Link link) {
        socket.execute("delete link " + link.name(), Nl.RTM_DELLINK, 0, w -> ifinfomsg(w, link.index(), 0, 0));
    }

    /** Deletes the link called {@code name}; false when there is none. */
    public boolean deleteIfPresent(String name) {
        Optional<Link> l = byName(name);
        if (l.isEmpty()) {
            return false;
        }
        try {
            delete(l.get());
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return false;
            }
            throw e;
        }
    }

    /** The link called {@code name}, or empty. */
    public Optional<Link> byName(String name) {
        checkName(name);
        Link[] found = {null};
        try {
            socket.query("get link " + name, Nl.RTM_GETLINK, w -> {
                ifinfomsg(w, 0, 0, 0);
                w.attrString(Nl.IFLA_IFNAME, name);
            }, (type, r, body, end) -> {
                if (type == Nl.RTM_NEWLINK) {
                    found[0] = decode(r, body, end);
                }
            });
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(found[0]);
    }

    /** The link called {@code name}; ENODEV naming it when there is none. */
    public Link require(String name) {
        return byName(name).orElseThrow(() -> new NetlinkException("find link " + name, Errno.ENODEV, null));
    }

    public Optional<Link> byIndex(int index) {
        Link[] found = {null};
        try {
            socket.query("get link #" + index, Nl.RTM_GETLINK, w -> ifinfomsg(w, index, 0, 0), (type, r, body, end) -> {
                if (type == Nl.RTM_NEWLINK) {
                    found[0] = decode(r, body, end);
                }
            });
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.ofNullable(found[0]);
    }

    public List<Link> dump() {
        List<Link> out = new ArrayList<>();
        socket.dump("list links", Nl.RTM_GETLINK, w -> ifinfomsg(w, 0, 0, 0), (type, r, body, end) -> {
            if (type == Nl.RTM_NEWLINK) {
                out.add(decode(r, body, end));
            }
        });
        return out;
    }

    private static void ifinfomsg(NlWriter w, int index, int flags, int change) {
        w.u8(0).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 15 || name.contains("/") || name.contains(" ")) {
            throw new IllegalArgumentException("interface name '" + name + "' is not 1-15 characters without '/' or spaces");
        }
    }

    static Link decode(NlReader r, int body, int end) {
        int index = r.u32(body + 4);
        int flags = r.u32(body + 8);
        String[] name = {""};
        String[] kind = {""};
        int[] mtu = {0};
        int[] link = {0};
        int[] master = {0};
        byte[][] mac = {null};
        r.attrs(body + Nl.IFINFOMSG_LEN, end, (t, at, len) -> {
            switch (t) {
                case Nl.IFLA_IFNAME -> name[0] = r.string(at, len);
                case Nl.IFLA_MTU -> mtu[0] = r.u32(at);
                case Nl.IFLA_LINK -> link[0] = r.u32(at);
                case Nl.IFLA_MASTER -> master[0] = r.u32(at);
                case Nl.IFLA_ADDRESS -> mac[0] = r.bytes(at, len);
                case Nl.IFLA_LINKINFO -> r.attrs(at, at + len, (t2, at2, len2) -> {
                    if (t2 == Nl.IFLA_INFO_KIND) {
                        kind[0] = r.string(at2, len2);
                    }
                });
                default -> { }
            }
        });
        return new Link(index, name[0], flags, mtu[0], mac[0], kind[0], link[0], master[0]);
    }
}
