package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.Reason;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pod's kernel may use one source port towards a Service and towards that Service's backend
 * at once (two destinations to it); after DNAT both are one tuple on the wire, and the backend
 * would see two connections as one (seen in DaemonPodNetworkTest's two request loops as a reset
 * and refused connections for a few hundred milliseconds). The flow that comes second leaves
 * with another source port of 61000-65535, as Linux's NAT remaps a clashing tuple, and its
 * replies reach the pod on the port it used. Golden packets through BPF_PROG_TEST_RUN.
 */
class TupleRemapTest extends DatapathPerTest {
    static final String POD = "10.1.0.5";
    static final String VIP = "10.96.0.10";
    static final String BACKEND = "10.2.0.7";
    static final int PORT = 41000;

    @BeforeEach
    void webOfOneBackend() {
        dp.applyServices(List.of(new ServiceSpec("test/web", Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(BACKEND, 8080)))));
    }

    static int sport(byte[] frame) {
        return ByteBuffer.wrap(frame).getShort(34) & 0xffff;
    }

    static String saddr(byte[] frame) {
        return Ipv4.format(ByteBuffer.wrap(frame).getInt(26));
    }

    static String daddr(byte[] frame) {
        return Ipv4.format(ByteBuffer.wrap(frame).getInt(30));
    }

    static int dport(byte[] frame) {
        return ByteBuffer.wrap(frame).getShort(36) & 0xffff;
    }

    /** The Service connection from PORT: SYN out (DNATed to the backend), SYN-ACK back from the VIP. */
    void serviceConnection(int port, int expectSport) {
        TestRun.Result syn = run(Datapath.FROM_POD, Packets.tcp(POD, port, VIP, 80, TCP_SYN));
        assertThat(syn.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(daddr(syn.packet()) + ":" + dport(syn.packet())).isEqualTo(BACKEND + ":8080");
        assertThat(saddr(syn.packet())).as("the pod's own address").isEqualTo(POD);
        if (expectSport > 0) {
            assertThat(sport(syn.packet())).isEqualTo(expectSport);
        }
        int wirePort = sport(syn.packet());
        Packets.Spec synAck = Packets.tcp(BACKEND, 8080, POD, wirePort, TCP_SYN | TCP_ACK);
        Packets.Spec seen = synAck.copy();
        seen.saddr = VIP;
        seen.sport = 80;
        seen.dport = port;
        TestRun.Result back = run(Datapath.TO_POD, synAck);
        assertThat(Packets.hex(back.packet())).as("the Service's SYN-ACK reaches the pod from the VIP on its port")
                .isEqualTo(Packets.hex(Packets.build(seen)));
    }

    @Test
    void aDirectConnectionOnTheTupleOfALiveServiceFlowLeavesWithAnotherPort() {
        serviceConnection(PORT, PORT);
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, PORT, VIP, 80, TCP_ACK)).verdict()).isEqualTo(TC_ACT_OK);

        // the pod connects to the backend directly from the same port
        TestRun.Result syn = run(Datapath.FROM_POD, Packets.tcp(POD, PORT, BACKEND, 8080, TCP_SYN));
        assertThat(syn.verdict()).as("rewritten: Gannet's").isEqualTo(TC_ACT_OK);
        int remapped = sport(syn.packet());
        assertThat(remapped).as("another source port, above the pods' ephemeral range").isBetween(61000, 65535);
        assertThat(saddr(syn.packet()) + " -> " + daddr(syn.packet()) + ":" + dport(syn.packet()))
                .isEqualTo(POD + " -> " + BACKEND + ":8080");
        CtEntry plain = dp.conntrack().get(new CtKey(Ipv4.parse(POD), Ipv4.parse(BACKEND), PORT, 8080, 6, CtKey.PLAIN));
        assertThat(plain.flags() & CtEntry.F_REMAPPED).isEqualTo(CtEntry.F_REMAPPED);
        assertThat(dp.conntrack().get(new CtKey(Ipv4.parse(BACKEND), Ipv4.parse(POD), 8080, remapped, 6, CtKey.REMAP_IN)))
                .isNotNull();

        // its SYN-ACK reaches the pod from the backend, on the pod's own port, and is not the Service's
        Packets.Spec synAck = Packets.tcp(BACKEND, 8080, POD, remapped, TCP_SYN | TCP_ACK);
        Packets.Spec seen = synAck.copy();
        seen.dport = PORT;
        TestRun.Result back = run(Datapath.TO_POD, synAck);
        assertThat(back.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(back.packet())).isEqualTo(Packets.hex(Packets.build(seen)));

        // both connections go on side by side
        TestRun.Result ack = run(Datapath.FROM_POD, Packets.tcp(POD, PORT, BACKEND, 8080, TCP_ACK));
        assertThat(sport(ack.packet())).as("every packet of the direct connection").isEqualTo(remapped);
        TestRun.Result svc = run(Datapath.FROM_POD, Packets.tcp(POD, PORT, VIP, 80, TCP_ACK));
        assertThat(sport(svc.packet()) + " " + daddr(svc.packet())).isEqualTo(PORT + " " + BACKEND);
        Packets.Spec svcReply = Packets.tcp(BACKEND, 8080, POD, PORT, TCP_ACK);
        TestRun.Result svcBack = run(Datapath.TO_POD, svcReply);
        assertThat(saddr(svcBack.packet()) + ":" + sport(svcBack.packet())).as("the Service flow's replies still from the VIP")
                .isEqualTo(VIP + ":80");
        assertThat(dp.metrics().get(Reason.CT_PORT_REMAP)).isEqualTo(1);

        // the remap is the flow's for its life: a retransmitted SYN leaves with the same port
        Packets.Spec directSyn = Packets.tcp(POD, PORT, BACKEND, 8080, TCP_SYN);
        TestRun.Result again = run(Datapath.FROM_POD, directSyn);
        assertThat(sport(again.packet())).isEqualTo(remapped);
        assertThat(dp.metrics().get(Reason.CT_PORT_REMAP)).isEqualTo(1);

        // an ICMP error quoting the remapped packet (PMTUD's fragmentation needed from a router)
        // reaches the pod quoting the port its socket used
        byte[] error = IcmpErrorTest.icmpError("198.51.100.1", POD, 3, 4, 1400, IcmpErrorTest.quote(again.packet()));
        byte[] expected = IcmpErrorTest.icmpError("198.51.100.1", POD, 3, 4, 1400, IcmpErrorTest.quote(Packets.build(directSyn)));
        TestRun.Result toThePod = run(Datapath.TO_POD, error);
        assertThat(toThePod.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(toThePod.packet())).isEqualTo(Packets.hex(expected));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(1);
    }

    @Test
    void aServiceConnectionOnTheTupleOfALiveDirectFlowLeavesWithAnotherPort() {
        TestRun.Result direct = run(Datapath.FROM_POD, Packets.tcp(POD, PORT, BACKEND, 8080, TCP_SYN));
        assertThat(direct.verdict()).as("a direct flow alone is left as it is").isEqualTo(TC_ACT_UNSPEC);

        TestRun.Result syn = run(Datapath.FROM_POD, Packets.tcp(POD, PORT, VIP, 80, TCP_SYN));
        assertThat(syn.verdict()).as("forwarded by the kernel as any pod packet, not redirected").isEqualTo(TC_ACT_OK);
        int remapped = sport(syn.packet());
        assertThat(remapped).isBetween(61000, 65535);
        assertThat(saddr(syn.packet()) + " -> " + daddr(syn.packet()) + ":" + dport(syn.packet()))
                .isEqualTo(POD + " -> " + BACKEND + ":8080");

        // the backend's reply to the remapped port reaches the pod from the VIP on the pod's port
        Packets.Spec synAck = Packets.tcp(BACKEND, 8080, POD, remapped, TCP_SYN | TCP_ACK);
        Packets.Spec seen = synAck.copy();
        seen.saddr = VIP;
        seen.sport = 80;
        seen.dport = PORT;
        assertThat(Packets.hex(run(Datapath.TO_POD, synAck).packet())).isEqualTo(Packets.hex(Packets.build(seen)));
        // the direct flow's replies are left alone
        Packets.Spec directAck = Packets.tcp(BACKEND, 8080, POD, PORT, TCP_SYN | TCP_ACK);
        TestRun.Result directBack = run(Datapath.TO_POD, directAck);
        assertThat(directBack.verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(directBack.packet()).isEqualTo(Packets.build(directAck));
        // later packets of the Service connection keep the port
        assertThat(sport(run(Datapath.FROM_POD, Packets.tcp(POD, PORT, VIP, 80, TCP_ACK)).packet())).isEqualTo(remapped);
        assertThat(dp.metrics().get(Reason.CT_PORT_REMAP)).isEqualTo(1);
    }

    @Test
    void aFreeTupleKeepsItsPort() {
        serviceConnection(PORT, PORT);
        TestRun.Result other = run(Datapath.FROM_POD, Packets.tcp(POD, PORT + 1, BACKEND, 8080, TCP_SYN));
        assertThat(other.verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(sport(other.packet())).isEqualTo(PORT + 1);
        serviceConnection(PORT + 2, PORT + 2);
        assertThat(dp.metrics().get(Reason.CT_PORT_REMAP)).isZero();
    }
}
