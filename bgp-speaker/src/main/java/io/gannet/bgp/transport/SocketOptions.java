package io.gannet.bgp.transport;

import io.gannet.linux.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket options netty's epoll transport has no name for: outgoing TTL / hop limit and
 * the minimum accepted TTL of RFC 5082 (GTSM), set with setsockopt(2) through linux-sys's libc.
 * Both the IPv4 and IPv6 option are set, since an IPv6 socket may carry IPv4-mapped traffic;
 * the one that does not apply to the socket's family fails harmlessly.
 */
final class SocketOptions {
    private static final Logger log = LoggerFactory.getLogger(SocketOptions.class);

    private static final int IPPROTO_IP = 0;
    private static final int IP_TTL = 2;
    private static final int IP_MINTTL = 21;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IPV6_UNICAST_HOPS = 16;
    private static final int IPV6_MINHOPCOUNT = 73;

    private SocketOptions() {}

    /** TTL (IPv4) and unicast hop limit (IPv6) of packets we send. */
    static boolean setTtl(int fd, int ttl) {
        boolean v4 = set(fd, IPPROTO_IP, IP_TTL, ttl);
        boolean v6 = set(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl);
        return v4 || v6;
    }

    /** RFC 5082 3: drop packets with a TTL below {@code 256 - hops}. */
    static boolean setMinTtl(int fd, int minTtl) {
        boolean v4 = set(fd, IPPROTO_IP, IP_MINTTL, minTtl);
        boolean v6 = set(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, minTtl);
        if (!v4 && !v6) {
            log.warn("could not set minimum TTL {} on fd {}", minTtl, fd);
        }
        return v4 || v6;
    }

    private static boolean set(int fd, int level, int option, int value) {
        ByteBuffer v = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, value); // once per session, not per message
        return LibC.INSTANCE.setsockopt(fd, level, option, v, 4) == 0;
    }
}
