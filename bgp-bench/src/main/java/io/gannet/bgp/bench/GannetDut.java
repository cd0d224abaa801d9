package io.gannet.bgp.bench;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.wire.AddressFamily;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Gannet as the benchmark's device under test, in a process of its own so its RSS and CPU
 * can be measured like BIRD's and bgpd's: a transit speaker that accepts every route from
 * every peer and exports every best path to every other peer over eBGP (next hop self,
 * RFC 4271 5.1.3), IPv4 unicast only, all peers passive. Runs until SIGTERM / SIGINT.
 *
 * <pre>
 * java -cp ... io.gannet.bgp.bench.GannetDut --listen 0.0.0.0 --router-id 10.84.1.1 [--port 179] --as 65000 \
 *     --peer collector,10.84.2.10,65100 --peer injector1,10.84.1.11,65001 ...
 * </pre>
 *
 * Prints {@code pid=N} and {@code ready_ms=M} (JVM start to listening) on stdout.
 */
public final class GannetDut {
    private GannetDut() {}

    /** One peer of the DUT: name, address, AS. */
    public record Peer(String name, InetAddress address, long as) {}

    /** The transit configuration every DUT of the benchmark gets, as Gannet's config records. */
    public static SpeakerConfig config(InetAddress listen, int port, long localAs, long routerId, List<Peer> peers) {
        List<PeerConfig> configs = new ArrayList<>();
        for (Peer p : peers) {
            configs.add(PeerConfig.builder(p.name(), p.address(), p.as(), localAs)
                    .passive(true)
                    .families(Set.of(AddressFamily.IPV4_UNICAST))
                    .importPolicy(Policy.ACCEPT_ALL)
                    .exportPolicy(Policy.ACCEPT_ALL)
                    .build());
        }
        return new SpeakerConfig(localAs, routerId, listen, port, 0, 1, configs, List.of());
    }

    public static BgpSpeaker<Rib> start(SpeakerConfig config) {
        return BgpSpeaker.start(config, Rib::new, SpeakerOptions.defaults());
    }

    public static void main(String[] argv) throws InterruptedException {
        Args a = new Args(argv);
        InetAddress listen = a.address("listen");
        int port = (int) a.number("port", 179);
        long as = a.number("as", 65000);
        long routerId = BenchPeer.toUnsigned(Args.parseAddress(a.string("router-id", listen.getHostAddress())));
        List<Peer> peers = new ArrayList<>();
        for (String spec : a.all("peer")) {
            String[] f = spec.split(",");
            if (f.length != 3) {
                throw new IllegalArgumentException("--peer name,address,as expected, got " + spec);
            }
            peers.add(new Peer(f[0], Args.parseAddress(f[1]), Long.parseLong(f[2])));
        }
        a.done();
        BgpSpeaker<Rib> speaker = start(config(listen, port, as, routerId, peers));
        long readyMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
        System.out.println("pid=" + ProcessHandle.current().pid() + " ready_ms=" + readyMs);
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            speaker.close();
            stopped.countDown();
        }, "bb-stop"));
        stopped.await();
    }
}
