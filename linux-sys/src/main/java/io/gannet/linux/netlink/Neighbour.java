package io.gannet.linux.netlink;

import java.net.InetAddress;

/** A neighbour (ARP / NDP) entry; {@code state} is NUD_* ({@link Nl#NUD_PERMANENT} for static ones). */
public record Neighbour(int ifindex, InetAddress address, byte[] lladdr, int state) {
    public String lladdrString() {
        if (lladdr == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lladdr.length; i++) {
            b.append(i == 0 ? "" : ":").append(String.format("%02x", lladdr[i] & 0xff));
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Neighbour n && n.ifindex == ifindex && n.address.equals(address)
                && java.util.Arrays.equals(n.lladdr, lladdr) && n.state == state;
    }

    @Override
    public int hashCode() {
        return address.hashCode() * 31 + ifindex;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + " lladdr " + lladdrString() + " dev #" + ifindex;
    }
}
