package io.gannet.linux.netlink;

/**
 * A network interface as RTM_NEWLINK describes it. {@code peerIndex} is IFLA_LINK (a veth's
 * peer, possibly in another namespace), 0 when absent; {@code kind} is IFLA_INFO_KIND
 * ({@code veth}, {@code dummy}, ...) or empty.
 */
public record Link(int index, String name, int flags, int mtu, byte[] mac, String kind, int peerIndex, int masterIndex) {
    public boolean up() {
        return (flags & Nl.IFF_UP) != 0;
    }

    public String macString() {
        if (mac == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < mac.length; i++) {
            b.append(i == 0 ? "" : ":").append(String.format("%02x", mac[i] & 0xff));
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Link l && l.index == index && l.name.equals(name) && l.flags == flags && l.mtu == mtu
                && java.util.Arrays.equals(l.mac, mac) && l.kind.equals(kind) && l.peerIndex == peerIndex && l.masterIndex == masterIndex;
    }

    @Override
    public int hashCode() {
        return index * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return name + " (#" + index + (kind.isEmpty() ? "" : ", " + kind) + (up() ? ", up" : ", down") + ")";
    }
}
