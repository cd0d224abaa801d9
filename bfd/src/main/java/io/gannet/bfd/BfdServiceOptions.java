package io.gannet.bfd;

import io.gannet.bfd.session.BfdClock;
import java.net.InetAddress;

/**
 * How a {@link BfdService} runs.
 *
 * @param clock monotonic time source
 * @param networkNamespace path of a network namespace (e.g. /var/run/netns/x) the service's
 *     sockets are opened in, or null for the process's namespace
 * @param singleHopPort listening port for single-hop (3784 unless a test says otherwise)
 * @param multiHopPort listening port for multihop (4784)
 * @param ipv4 listen on IPv4
 * @param ipv6 listen on IPv6
 * @param listenAddressV4 bind address for the IPv4 listeners (null: any)
 * @param jitterSeed seed of the transmit jitter generator
 * @param realtimePriority SCHED_FIFO priority (1..99) for the timer and receive threads, or 0
 *     for normal scheduling; if the kernel refuses, a warning is logged and BFD runs normally
 */
public record BfdServiceOptions(BfdClock clock, String networkNamespace, int singleHopPort, int multiHopPort,
        boolean ipv4, boolean ipv6, InetAddress listenAddressV4, long jitterSeed, int realtimePriority) {

    public BfdServiceOptions {
        if (realtimePriority < 0 || realtimePriority > 99) {
            throw new IllegalArgumentException("realtime priority must be 0 (off) or 1..99");
        }
    }

    public static BfdServiceOptions defaults() {
        return new BfdServiceOptions(BfdClock.SYSTEM, null, HopMode.SINGLE_HOP.port(), HopMode.MULTI_HOP.port(),
                true, true, null, System.nanoTime(), 0);
    }

    /** Runs the timer and receive threads SCHED_FIFO at {@code priority} (0: off). */
    public BfdServiceOptions withRealtimePriority(int priority) {
        return new BfdServiceOptions(clock, networkNamespace, singleHopPort, multiHopPort, ipv4, ipv6, listenAddressV4,
                jitterSeed, priority);
    }

    public BfdServiceOptions inNetworkNamespace(String path) {
        return new BfdServiceOptions(clock, path, singleHopPort, multiHopPort, ipv4, ipv6, listenAddressV4, jitterSeed, realtimePriority);
    }

    /** Named namespace under /var/run/netns (as `ip netns add` creates). */
    public BfdServiceOptions inNamedNetworkNamespace(String name) {
        return inNetworkNamespace("/var/run/netns/" + name);
    }

    public BfdServiceOptions withPorts(int singleHop, int multiHop) {
        return new BfdServiceOptions(clock, networkNamespace, singleHop, multiHop, ipv4, ipv6, listenAddressV4, jitterSeed, realtimePriority);
    }

    public BfdServiceOptions withIpv6(boolean enabled) {
        return new BfdServiceOptions(clock, networkNamespace, singleHopPort, multiHopPort, ipv4, enabled, listenAddressV4,
                jitterSeed, realtimePriority);
    }

    public BfdServiceOptions withListenAddressV4(InetAddress address) {
        return new BfdServiceOptions(clock, networkNamespace, singleHopPort, multiHopPort, ipv4, ipv6, address, jitterSeed, realtimePriority);
    }
}
