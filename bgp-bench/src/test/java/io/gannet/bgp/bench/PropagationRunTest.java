package io.gannet.bgp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.rib.Rib;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark path in miniature, on loopback: two injectors -> Gannet (in this JVM) ->
 * collector, a few thousand prefixes, so CI keeps the tools working. Each peer binds its own
 * 127.0.0.x address; Gannet listens on 127.0.0.1:18400 and, as an eBGP transit speaker, must
 * hand the collector every prefix once with itself (127.0.0.1) as next hop.
 */
class PropagationRunTest {
    private static final InetAddress GANNET = Args.parseAddress("127.0.0.1");
    private static final InetAddress INJECTOR1 = Args.parseAddress("127.0.0.2");
    private static final InetAddress INJECTOR2 = Args.parseAddress("127.0.0.4");
    private static final InetAddress COLLECTOR = Args.parseAddress("127.0.0.3");
    private static final int PORT = 18400;

    @Test
    void collectorReceivesEveryPrefixOnceWithGannetAsNextHop() throws Exception {
        int prefixes = 5000;
        try (BgpSpeaker<Rib> gannet = GannetDut.start(GannetDut.config(GANNET, PORT, 65000, BenchPeer.toUnsigned(GANNET), List.of(
                new GannetDut.Peer("collector", COLLECTOR, 65100),
                new GannetDut.Peer("injector1", INJECTOR1, 65001),
                new GannetDut.Peer("injector2", INJECTOR2, 65002))))) {
            assertThat(gannet.listenAddress().getPort()).isEqualTo(PORT);
            PropagationRun.Config config = new PropagationRun.Config(new InetSocketAddress(GANNET, PORT),
                    new InetSocketAddress(GANNET, PORT), 0, COLLECTOR, 65100,
                    List.of(INJECTOR1, INJECTOR2), 65001, prefixes, 24, Duration.ofMillis(300),
                    Duration.ofSeconds(60), 90);
            PropagationRun.Result r = new PropagationRun(config, System::nanoTime).run();

            assertThat(r.complete()).isTrue();
            // Every bulk prefix once, plus each injector's end marker.
            assertThat(r.received()).isEqualTo(prefixes + 2);
            assertThat(r.expected()).isEqualTo(prefixes + 2);
            assertThat(r.nextHopMismatches()).isZero();
            assertThat(r.decodeErrors()).isZero();
            assertThat(r.wallSeconds()).isPositive();
            assertThat(r.settledSeconds()).isGreaterThanOrEqualTo(r.wallSeconds());
            // Two injectors send the same prefixes: each one's routes reach the other as the DUT's best paths.
            assertThat(r.injectorUpdates()).isPositive();
        }
    }
}
