package io.gannet.linux.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * IP forwarding of the caller's network namespace ({@code /proc/sys/net/ipv4/ip_forward},
 * {@code /proc/sys/net/ipv6/conf/all/forwarding}): a node routes its pods' traffic and an L4LB
 * host forwards VIP traffic to backends, so both turn it on when it is off.
 */
public final class Forwarding {
    private Forwarding() {}

    public static Path path(boolean ipv4) {
        return Path.of(ipv4 ? "/proc/sys/net/ipv4/ip_forward" : "/proc/sys/net/ipv6/conf/all/forwarding");
    }

    /** Turns forwarding on; true when it was off (the caller logs the change). */
    public static boolean enable(boolean ipv4) throws IOException {
        Path p = path(ipv4);
        if (Files.readString(p).trim().equals("1")) {
            return false;
        }
        Files.writeString(p, "1");
        return true;
    }
}
