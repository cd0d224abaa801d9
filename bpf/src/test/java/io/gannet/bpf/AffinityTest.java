package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.maps.AffinityKey;
import io.gannet.bpf.maps.AffinityValue;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.Reason;
import io.gannet.bpf.maps.TypedMap;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** sessionAffinity: ClientIP through BPF_PROG_TEST_RUN: a client's new flows stick to one backend until the timeout. */
class AffinityTest extends DatapathPerTest {
    static final String VIP = "10.96.0.10";
    static final List<Backend> BACKENDS = List.of(Backend.of("10.2.0.7", 8080), Backend.of("10.2.0.8", 8080),
            Backend.of("10.2.0.9", 8080));

    String newFlow(String client, int port) {
        byte[] out = run(Datapath.FROM_POD, Packets.tcp(client, port, VIP, 80, TCP_SYN)).packet();
        return Ipv4.format(ByteBuffer.wrap(out).getInt(30));
    }

    @Test
    void aClientsNewFlowsStickToItsBackendUntilTheTimeout() {
        dp.applyServices(List.of(new ServiceSpec("shop/sticky", Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, BACKENDS, 30)));
        assertThat(dp.services().getFirst().affinityTimeoutSeconds()).isEqualTo(30);
        String first = newFlow("10.1.0.5", 40000);
        for (int port = 40001; port < 40040; port++) {
            assertThat(newFlow("10.1.0.5", port)).as("new flow from port %d", port).isEqualTo(first);
        }
        assertThat(dp.metrics().get(Reason.NAT_AFFINITY)).isEqualTo(39);
        // other clients are still spread
        Set<String> spread = new HashSet<>();
        for (int c = 1; c < 60; c++) {
            spread.add(newFlow("10.1.1." + c, 40000));
        }
        assertThat(spread).hasSize(3);

        // an entry older than the timeout no longer binds: age it by 31 s
        TypedMap<AffinityKey, AffinityValue> aff = new TypedMap<>(
                io.gannet.bpf.libbpf.BpfMap.openPinned(PinLayout.mapsDir(pinRoot).resolve(DpMaps.AFFINITY.name()).toString(), 8, 8, 0),
                AffinityKey.LAYOUT, AffinityValue.LAYOUT);
        int rn = dp.services().getFirst().revNatIndex();
        AffinityKey k = new AffinityKey(Ipv4.parse("10.1.0.5"), rn);
        AffinityValue v = aff.get(k);
        assertThat(v).isNotNull();
        Set<String> after = new HashSet<>();
        for (int port = 41000; port < 41060; port++) {
            aff.put(k, new AffinityValue(v.backendId(), v.lastUsed() - 31));
            after.add(newFlow("10.1.0.5", port));
        }
        assertThat(after).as("expired affinity: backends picked afresh").hasSize(3);

        // turning affinity off is a change the reconciler applies
        assertThat(dp.applyServices(List.of(new ServiceSpec("shop/sticky", Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, BACKENDS))).servicesUpdated()).isEqualTo(1);
        assertThat(dp.services().getFirst().affinityTimeoutSeconds()).isZero();
    }
}
