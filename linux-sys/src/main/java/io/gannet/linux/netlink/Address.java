package io.gannet.linux.netlink;

/** An interface address ({@code ip addr}): the prefix keeps its host bits (10.1.0.5/24). */
public record Address(int ifindex, Prefix prefix, int scope) {
    @Override
    public String toString() {
        return prefix + " dev #" + ifindex;
    }
}
