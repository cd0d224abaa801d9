package io.gannet.bgp.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.unix.IntegerUnixChannelOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket options netty's epoll transport has no name for: outgoing TTL / hop limit and
 * the minimum accepted TTL of RFC 5082 (GTSM), set with setsockopt(2) through netty's own
 * generic option (no foreign-function library is loaded for them). Both the IPv4 and IPv6
 * option are set, since an IPv6 socket may carry IPv4-mapped traffic; the one that does not
 * apply to the socket's family fails harmlessly.
 */
final class SocketOptions {
    private static final Logger log = LoggerFactory.getLogger(SocketOptions.class);

    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_IPV6 = 41;
    private static final IntegerUnixChannelOption IP_TTL = new IntegerUnixChannelOption("IP_TTL", IPPROTO_IP, 2);
    private static final IntegerUnixChannelOption IP_MINTTL = new IntegerUnixChannelOption("IP_MINTTL", IPPROTO_IP, 21);
    private static final IntegerUnixChannelOption IPV6_UNICAST_HOPS = new IntegerUnixChannelOption("IPV6_UNICAST_HOPS", IPPROTO_IPV6, 16);
    private static final IntegerUnixChannelOption IPV6_MINHOPCOUNT = new IntegerUnixChannelOption("IPV6_MINHOPCOUNT", IPPROTO_IPV6, 73);

    private SocketOptions() {}

    /** TTL (IPv4) and unicast hop limit (IPv6) of packets we send. */
    static boolean setTtl(Channel ch, int ttl) {
        boolean v4 = set(ch, IP_TTL, ttl);
        boolean v6 = set(ch, IPV6_UNICAST_HOPS, ttl);
        return v4 || v6;
    }

    /** RFC 5082 3: drop packets with a TTL below {@code 256 - hops}. */
    static boolean setMinTtl(Channel ch, int minTtl) {
        boolean v4 = set(ch, IP_MINTTL, minTtl);
        boolean v6 = set(ch, IPV6_MINHOPCOUNT, minTtl);
        if (!v4 && !v6) {
            log.warn("could not set minimum TTL {} on {}", minTtl, ch);
        }
        return v4 || v6;
    }

    private static boolean set(Channel ch, IntegerUnixChannelOption option, int value) {
        try {
            return ch.config().setOption(option, value);
        } catch (ChannelException e) {
            return false; // the option of the other family
        }
    }
}
