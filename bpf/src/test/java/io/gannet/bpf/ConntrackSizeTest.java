package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conntrack table is sized from the node's memory (or as asked), every object's programs
 * share the one table, and a new size on an upgrade or restart carries the established flows
 * over: their next packets keep their backends.
 */
class ConntrackSizeTest {
    static final long GIB = 1L << 30;
    Path pinRoot = DatapathFixture.uniquePinRoot();

    @AfterEach
    void close() {
        Datapath.removePins(pinRoot);
    }

    @Test
    void sizedFromTheNodesMemory() {
        assertThat(ConntrackSize.forMemory(24 * GIB)).isEqualTo(131_072);
        assertThat(ConntrackSize.forMemory(4 * GIB)).isEqualTo(65_536);
        assertThat(ConntrackSize.forMemory(GIB / 2)).isEqualTo(65_536);
        assertThat(ConntrackSize.forMemory(64 * GIB)).isEqualTo(262_144);
        assertThat(ConntrackSize.forMemory(2048 * GIB)).isEqualTo(4_194_304);
        assertThat(ConntrackSize.auto()).isBetween(ConntrackSize.MIN, ConntrackSize.MAX);
        assertThatThrownBy(() -> DatapathOptions.defaults().withConntrackMax(1000)).hasMessageContaining("65536 to 4194304");
    }

    static int maxEntries(Path pinRoot, String map) {
        try (BpfMap m = BpfMap.openPinnedAsIs(PinLayout.mapsDir(pinRoot).resolve(map).toString())) {
            return m.maxEntries();
        }
    }

    static String backendOf(TestRun.Result r) {
        return Ipv4.format(ByteBuffer.wrap(r.packet()).getInt(30));
    }

    @Test
    void aNewSizeCarriesEstablishedFlowsOver() {
        List<Backend> backends = List.of(Backend.of("10.2.0.7", 8080), Backend.of("10.2.0.8", 8080), Backend.of("10.2.0.9", 8080));
        List<String> picked = new ArrayList<>();
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot).withConntrackMax(65_536))) {
            assertThat(maxEntries(pinRoot, "dp_ct4")).isEqualTo(65_536);
            assertThat(maxEntries(pinRoot, "dp_snat4")).isEqualTo(65_536);
            dp.applyServices(List.of(new ServiceSpec("t/web", Frontend.of("10.96.0.10", 80, Protocol.TCP), false,
                    ServiceSpec.Algorithm.RANDOM, backends)));
            for (int port = 40000; port < 40020; port++) {
                picked.add(backendOf(dp.program(Datapath.FROM_POD).testRun(
                        Packets.build(Packets.tcp("10.1.0.5", port, "10.96.0.10", 80, TCP_SYN)), 1)));
            }
        }
        // an agent restarted with another size: a new table, the flows in it
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot).withConntrackMax(131_072))) {
            assertThat(maxEntries(pinRoot, "dp_ct4")).isEqualTo(131_072);
            assertThat(maxEntries(pinRoot, "dp_snat4")).isEqualTo(131_072);
            assertThat(dp.conntrack().get(new CtKey(Ipv4.parse("10.1.0.5"), Ipv4.parse("10.96.0.10"), 40000, 80, 6, CtKey.EGRESS)))
                    .isNotNull();
            long hits = dp.metrics().get(Reason.NAT_CT_HIT);
            long fresh = dp.metrics().get(Reason.NAT_NEW); // the counters are pinned too: deltas
            for (int port = 40000; port < 40020; port++) {
                TestRun.Result r = dp.program(Datapath.FROM_POD).testRun(
                        Packets.build(Packets.tcp("10.1.0.5", port, "10.96.0.10", 80, TCP_ACK)), 1);
                assertThat(backendOf(r)).as("flow from port " + port + " keeps its backend").isEqualTo(picked.get(port - 40000));
            }
            assertThat(dp.metrics().get(Reason.NAT_CT_HIT) - hits).isEqualTo(20);
            assertThat(dp.metrics().get(Reason.NAT_NEW) - fresh).isZero();
            // the host program shares the one table (it loaded against the resized pin)
            assertThat(dp.program(Datapath.FROM_HOST)).isNotNull();
        }
    }
}
