package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.SourceRange;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.Reason;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets for node ports (lib/nodeport.h), externalIPs with externalTrafficPolicy Cluster
 * (SNAT to a node address, dp_snat4_src) and Local, and loadBalancerSourceRanges through
 * BPF_PROG_TEST_RUN. A packet that leaves from a node address is sent by FIB lookup + redirect,
 * so the programs run inside a namespace of this test whose routes and neighbour are fixed:
 * device {@code np0} (MAC 02:00:00:00:0a:01, 10.9.0.1/24) with the next hop 10.9.0.2
 * (02:00:00:00:0a:02, permanent) for the backends' and clients' networks. ICMP errors about these
 * flows: one about a reply goes on to the backend, one about a SNATed request back to the client.
 */
class NodePortGoldenTest extends DatapathPerTest {
    static final String NODE = "10.9.0.1";
    static final String CLIENT = "10.1.0.5";
    static final String B1 = "10.2.0.7";
    static final byte[] DEV_MAC = {0x02, 0, 0, 0, 0x0a, 0x01};
    static final byte[] HOP_MAC = {0x02, 0, 0, 0, 0x0a, 0x02};

    NetworkNamespace ns;

    @BeforeEach
    void createNodeNamespace() {
        Requirements.requireNetns();
        ns = NetworkNamespace.create("npg");
        runIn(ns.name());
        ns.exec("ip", "link", "add", "np0", "type", "veth", "peer", "name", "np1");
        ns.exec("ip", "link", "set", "np0", "address", "02:00:00:00:0a:01");
        ns.exec("ip", "addr", "add", NODE + "/24", "dev", "np0");
        ns.exec("ip", "link", "set", "np0", "up");
        ns.exec("ip", "link", "set", "np1", "up");
        ns.exec("ip", "neigh", "replace", "10.9.0.2", "lladdr", "02:00:00:00:0a:02", "dev", "np0", "nud", "permanent");
        ns.exec("ip", "route", "add", "10.2.0.0/16", "via", "10.9.0.2");
        ns.exec("ip", "route", "add", "10.1.0.0/16", "via", "10.9.0.2");
        ns.exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    @AfterEach
    void removeNodeNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    private static ServiceSpec nodePort(boolean snat, List<SourceRange> ranges) {
        return new ServiceSpec("shop/web:http", Frontend.of(NODE, 30080, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080)), 0, Map.of(), new ServiceSpec.Access(true, snat, ranges));
    }

    /** As the packet leaves by FIB redirect: the next hop's MAC, and one hop less (RFC 1812 5.3.1). */
    private static Packets.Spec routed(Packets.Spec p) {
        p.srcMac = DEV_MAC;
        p.dstMac = HOP_MAC;
        p.ttl -= 1;
        return p;
    }

    @Test
    void clusterPolicySnatsToTheNodeAndRestoresTheClient() {
        dp.applyServices(List.of(nodePort(true, List.of())));
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, NODE, 30080, TCP_SYN);
        TestRun.Result out = run(Datapath.FROM_HOST, syn);
        int snatPort = Short.toUnsignedInt(ByteBuffer.wrap(out.packet()).getShort(14 + 20));
        assertThat(snatPort).as("SNAT port above Linux's ephemeral range").isBetween(61000, 65535);
        Packets.Spec expected = routed(syn.copy());
        expected.saddr = NODE;
        expected.sport = snatPort;
        expected.daddr = B1;
        expected.dport = 8080;
        assertPacket(out, TC_ACT_REDIRECT, Packets.build(expected));

        // the backend's reply to the node: back to the client, from the node port
        Packets.Spec synAck = Packets.tcp(B1, 8080, NODE, snatPort, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = NODE;
        back.sport = 30080;
        back.daddr = CLIENT;
        back.dport = 40000;
        assertPacket(run(Datapath.FROM_HOST, synAck), TC_ACT_REDIRECT, Packets.build(back));

        // the flow's next packet keeps its backend and its SNAT port
        Packets.Spec ack = Packets.tcp(CLIENT, 40000, NODE, 30080, TCP_ACK);
        Packets.Spec ackOut = routed(ack.copy());
        ackOut.saddr = NODE;
        ackOut.sport = snatPort;
        ackOut.daddr = B1;
        ackOut.dport = 8080;
        assertPacket(run(Datapath.FROM_HOST, ack), TC_ACT_REDIRECT, Packets.build(ackOut));

        // a packet of the flow that arrives with TTL 1 is not forwarded, as a router would not
        Packets.Spec last = Packets.tcp(CLIENT, 40000, NODE, 30080, TCP_ACK);
        last.ttl = 1;
        assertThat(run(Datapath.FROM_HOST, last).verdict()).isEqualTo(TC_ACT_SHOT);

        Map<Reason, Long> m = dp.metrics();
        assertThat(m.get(Reason.NAT_SNAT)).isEqualTo(1);
        assertThat(m.get(Reason.NAT_CT_HIT)).isEqualTo(2);
        assertThat(m.get(Reason.REDIRECT_FIB)).isEqualTo(3);
        assertThat(m.get(Reason.DROP_TTL_EXCEEDED)).isEqualTo(1);
    }

    @Test
    void localPolicyKeepsTheClientAndRedirectsTheReply() {
        dp.applyServices(List.of(nodePort(false, List.of())));
        Packets.Spec syn = Packets.tcp(CLIENT, 40001, NODE, 30080, TCP_SYN);
        Packets.Spec expected = syn.copy();
        expected.daddr = B1;
        expected.dport = 8080;
        // DNAT only: the stack forwards it to the local pod
        assertPacket(run(Datapath.FROM_HOST, syn), TC_ACT_OK, Packets.build(expected));

        // the pod's reply leaves from the node address: redirected, past the martian check
        Packets.Spec synAck = Packets.tcp(B1, 8080, CLIENT, 40001, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = NODE;
        back.sport = 30080;
        assertPacket(run(Datapath.FROM_POD, synAck), TC_ACT_REDIRECT, Packets.build(back));

        // a client the node has no route to: dropped with its reason
        Packets.Spec lost = Packets.tcp("203.0.113.9", 40002, NODE, 30080, TCP_SYN);
        run(Datapath.FROM_HOST, lost);
        Packets.Spec lostReply = Packets.tcp(B1, 8080, "203.0.113.9", 40002, TCP_SYN | TCP_ACK);
        assertThat(run(Datapath.FROM_POD, lostReply).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_NO_ROUTE)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_SNAT)).isZero();
    }

    @Test
    void loadBalancerSourceRangesDropOtherSourcesWithTheirReason() {
        String lbIp = "192.0.2.80";
        ServiceSpec lb = new ServiceSpec("shop/lb:http", Frontend.of(lbIp, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080)), 0, Map.of(),
                new ServiceSpec.Access(false, false, List.of(SourceRange.parse("10.1.0.0/16"), SourceRange.parse("198.51.100.7/32"))));
        dp.applyServices(List.of(lb));
        for (String allowed : List.of(CLIENT, "198.51.100.7")) {
            Packets.Spec syn = Packets.tcp(allowed, 40010, lbIp, 80, TCP_SYN);
            Packets.Spec expected = syn.copy();
            expected.daddr = B1;
            expected.dport = 8080;
            assertPacket(run(Datapath.FROM_HOST, syn), TC_ACT_OK, Packets.build(expected));
        }
        for (String denied : List.of("10.3.0.5", "198.51.100.8")) {
            assertThat(run(Datapath.FROM_HOST, Packets.tcp(denied, 40011, lbIp, 80, TCP_SYN)).verdict())
                    .as(denied).isEqualTo(TC_ACT_SHOT);
        }
        // pods are held to the ranges too (as kube-proxy's firewall chain does for every source)
        assertThat(run(Datapath.FROM_POD, Packets.tcp("10.3.0.6", 40012, lbIp, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_SOURCE_RANGE)).isEqualTo(3);

        // an agent restart re-adopts the ranges from the pinned maps: the same desired state changes nothing
        reopen();
        assertThat(dp.applyServices(List.of(lb)).changed()).isFalse();
        assertThat(run(Datapath.FROM_HOST, Packets.tcp("10.3.0.5", 40014, lbIp, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);

        // the ranges lifted: everyone is served; the LPM entries are gone
        dp.applyServices(List.of(new ServiceSpec("shop/lb:http", Frontend.of(lbIp, 80, Protocol.TCP), true,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(B1, 8080)))));
        assertThat(run(Datapath.FROM_HOST, Packets.tcp("10.3.0.5", 40013, lbIp, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_OK);
        try (io.gannet.bpf.libbpf.BpfMap ranges = io.gannet.bpf.libbpf.BpfMap.openPinnedAsIs(
                PinLayout.mapsDir(pinRoot).resolve(io.gannet.bpf.maps.DpMaps.SRC_RANGE.name()).toString())) {
            assertThat(ranges.nextKey(null)).as("dp_src_range4 emptied").isNull();
        }
    }

    @Test
    void hairpinSnatsAPodPickedAsItsOwnBackendToTheServiceAddress() {
        String vip = "10.96.0.40";
        String pod = B1;
        dp.applyServices(List.of(new ServiceSpec("shop/self:http", Frontend.of(vip, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(pod, 8080)))));
        Packets.Spec syn = Packets.tcp(pod, 40020, vip, 80, TCP_SYN);
        TestRun.Result out = run(Datapath.FROM_POD, syn);
        int hairpinPort = Short.toUnsignedInt(ByteBuffer.wrap(out.packet()).getShort(14 + 20));
        assertThat(hairpinPort).isBetween(61000, 65535);
        // from the service address (a packet from its own address would be dropped by the pod),
        // redirected back towards the pod
        Packets.Spec expected = routed(syn.copy());
        expected.saddr = vip;
        expected.sport = hairpinPort;
        expected.daddr = pod;
        expected.dport = 8080;
        assertPacket(out, TC_ACT_REDIRECT, Packets.build(expected));

        Packets.Spec synAck = Packets.tcp(pod, 8080, vip, hairpinPort, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = vip;
        back.sport = 80;
        back.daddr = pod;
        back.dport = 40020;
        assertPacket(run(Datapath.FROM_POD, synAck), TC_ACT_REDIRECT, Packets.build(back));
        assertThat(dp.metrics().get(Reason.NAT_HAIRPIN)).isEqualTo(1);

        // another client of the same service is not SNATed
        Packets.Spec other = Packets.tcp(CLIENT, 40021, vip, 80, TCP_SYN);
        Packets.Spec dnat = other.copy();
        dnat.daddr = pod;
        dnat.dport = 8080;
        assertPacket(run(Datapath.FROM_POD, other), TC_ACT_OK, Packets.build(dnat));
    }

    static final String EXT_IP = "192.0.2.80";

    /** An IPv4 externalIP (or load-balancer IP); Cluster: SNAT to the node address (as the agent picks it). */
    private static ServiceSpec externalIp(boolean cluster) {
        return new ServiceSpec("shop/web:http", Frontend.of(EXT_IP, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080)), 0, Map.of(),
                cluster ? ServiceSpec.Access.snatTo4(Ipv4.parse(NODE), List.of()) : ServiceSpec.Access.OPEN);
    }

    @Test
    void externalIpWithClusterPolicyIsSnatedToTheNodeAddressAndTheReplyRestoresTheClient() {
        dp.applyServices(List.of(externalIp(true)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, EXT_IP, 80, TCP_SYN);
        TestRun.Result out = run(Datapath.FROM_HOST, syn);
        int snatPort = Short.toUnsignedInt(ByteBuffer.wrap(out.packet()).getShort(14 + 20));
        assertThat(snatPort).as("SNAT port above Linux's ephemeral range").isBetween(61000, 65535);
        // from the node address (not the externalIP, which the fabric routes to any node announcing it)
        Packets.Spec expected = routed(syn.copy());
        expected.saddr = NODE;
        expected.sport = snatPort;
        expected.daddr = B1;
        expected.dport = 8080;
        assertPacket(out, TC_ACT_REDIRECT, Packets.build(expected));

        // a remote backend's reply to the node: back to the client, from the externalIP
        Packets.Spec synAck = Packets.tcp(B1, 8080, NODE, snatPort, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = EXT_IP;
        back.sport = 80;
        back.daddr = CLIENT;
        back.dport = 40000;
        assertPacket(run(Datapath.FROM_HOST, synAck), TC_ACT_REDIRECT, Packets.build(back));
        // the same reply from a local backend (its veth): the same
        assertPacket(run(Datapath.FROM_POD, synAck), TC_ACT_REDIRECT, Packets.build(back));

        // the flow's next packet keeps its backend and its SNAT port
        Packets.Spec ack = Packets.tcp(CLIENT, 40000, EXT_IP, 80, TCP_ACK);
        Packets.Spec ackOut = routed(ack.copy());
        ackOut.saddr = NODE;
        ackOut.sport = snatPort;
        ackOut.daddr = B1;
        ackOut.dport = 8080;
        assertPacket(run(Datapath.FROM_HOST, ack), TC_ACT_REDIRECT, Packets.build(ackOut));

        // a pod reaching the externalIP is not SNATed (pod addresses are routed in the cluster)
        Packets.Spec fromPod = Packets.tcp("10.244.0.9", 40001, EXT_IP, 80, TCP_SYN);
        Packets.Spec dnat = fromPod.copy();
        dnat.daddr = B1;
        dnat.dport = 8080;
        assertPacket(run(Datapath.FROM_POD, fromPod), TC_ACT_OK, Packets.build(dnat));

        // the XDP fast path leaves the SNATed frontend's packets to from_host, untouched
        byte[] xdpIn = Packets.build(Packets.tcp(CLIENT, 40002, EXT_IP, 80, TCP_SYN));
        TestRun.Result x = run(Datapath.XDP_FROM_HOST, xdpIn);
        assertThat(x.verdict()).as("XDP_PASS").isEqualTo(2);
        assertThat(x.packet()).isEqualTo(xdpIn);
        byte[] xdpReply = Packets.build(Packets.tcp(B1, 8080, NODE, snatPort, TCP_ACK));
        TestRun.Result xr = run(Datapath.XDP_FROM_HOST, xdpReply);
        assertThat(xr.verdict()).as("XDP_PASS").isEqualTo(2);
        assertThat(xr.packet()).as("the SNATed reply is from_host's to restore").isEqualTo(xdpReply);

        Map<Reason, Long> m = dp.metrics();
        assertThat(m.get(Reason.NAT_SNAT)).isEqualTo(1);
        assertThat(m.get(Reason.NAT_CT_HIT)).isEqualTo(1);
        assertThat(m.get(Reason.REDIRECT_FIB)).isEqualTo(4);
    }

    @Test
    void externalIpWithLocalPolicyKeepsTheClient() {
        dp.applyServices(List.of(externalIp(false)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40003, EXT_IP, 80, TCP_SYN);
        Packets.Spec expected = syn.copy();
        expected.daddr = B1;
        expected.dport = 8080;
        // DNAT only: the stack forwards it to the local pod, which sees the client
        assertPacket(run(Datapath.FROM_HOST, syn), TC_ACT_OK, Packets.build(expected));

        // the pod's reply leaves from the externalIP, to the client itself
        Packets.Spec synAck = Packets.tcp(B1, 8080, CLIENT, 40003, TCP_SYN | TCP_ACK);
        Packets.Spec back = synAck.copy();
        back.saddr = EXT_IP;
        back.sport = 80;
        assertPacket(run(Datapath.FROM_POD, synAck), TC_ACT_OK, Packets.build(back));
        assertThat(dp.metrics().get(Reason.NAT_SNAT)).isZero();
        assertThat(entries(DpMaps.SNAT4_SRC.name())).isZero();
    }

    @Test
    void theIpv4SnatSourceIsReadoptedOnRestartAndRemovedWithItsFrontend() {
        dp.applyServices(List.of(externalIp(true)));
        assertThat(entries(DpMaps.SNAT4_SRC.name())).isEqualTo(1);
        reopen();
        assertThat(dp.applyServices(List.of(externalIp(true))).changed()).as("re-adopted as it was").isFalse();
        assertThat(run(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40007, EXT_IP, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_REDIRECT);

        // a SNATed frontend whose source is missing (only mid-update) drops new flows with their reason
        try (BpfMap m = BpfMap.openPinnedAsIs(PinLayout.mapsDir(pinRoot).resolve(DpMaps.SNAT4_SRC.name()).toString())) {
            m.delete(m.nextKey(null));
        }
        assertThat(run(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40008, EXT_IP, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_NO_SNAT_SOURCE)).isEqualTo(1);

        // Local now: the source goes (after the master stops naming SNAT); Cluster again, then removed
        dp.applyServices(List.of(externalIp(true)));
        assertThat(dp.applyServices(List.of(externalIp(false))).changed()).isTrue();
        assertThat(entries(DpMaps.SNAT4_SRC.name())).isZero();
        dp.applyServices(List.of(externalIp(true)));
        assertThat(entries(DpMaps.SNAT4_SRC.name())).isEqualTo(1);
        dp.applyServices(List.of());
        assertThat(entries(DpMaps.SNAT4_SRC.name())).isZero();
    }

    /**
     * An ICMP error (RFC 792) from src to dst quoting the first 28 bytes of {@code frame} (its IP
     * header and 8 bytes of TCP/UDP), as the node receives it or, {@code routed}, as it leaves by
     * FIB redirect.
     */
    private static byte[] icmpError(String src, String dst, int type, int code, int rest, byte[] frame, boolean routed) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + 28).put((byte) type).put((byte) code).putShort((short) 0).putInt(rest)
                .put(frame, 14, 28);
        icmp.putShort(2, (short) Packets.checksum(icmp.array(), 0, icmp.capacity(), 0));
        Packets.Spec e = Packets.raw(src, dst, 1, icmp.array());
        return Packets.build(routed ? routed(e) : e);
    }

    private static ServiceSpec externalUdp(boolean cluster) {
        return new ServiceSpec("shop/dns:dns", Frontend.of(EXT_IP, 53, Protocol.UDP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 5353)), 0, Map.of(),
                cluster ? ServiceSpec.Access.snatTo4(Ipv4.parse(NODE), List.of()) : ServiceSpec.Access.OPEN);
    }

    /** The source port of an IPv4 TCP/UDP frame. */
    private static int sport(byte[] frame) {
        return Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(14 + 20));
    }

    @Test
    void anIcmpErrorAboutAReplyGoesToTheBackendQuotingTheReplyAsItSentIt() {
        String router = "10.1.0.254";
        // Cluster externalIP: the backend's reply went to the node address and SNAT port. A router on the
        // client's path sends fragmentation needed (RFC 1191: next-hop MTU 1400) to the externalIP.
        dp.applyServices(List.of(externalIp(true)));
        int snatPort = sport(run(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40020, EXT_IP, 80, TCP_SYN)).packet());
        byte[] left = Packets.build(Packets.tcp(EXT_IP, 80, CLIENT, 40020, TCP_ACK));
        byte[] in = icmpError(router, EXT_IP, 3, 4, 1400, left, false);
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        assertPacket(r, TC_ACT_REDIRECT,
                icmpError(router, B1, 3, 4, 1400, Packets.build(Packets.tcp(B1, 8080, NODE, snatPort, TCP_ACK)), true));
        assertThat(Packets.checksum(r.packet(), 14 + 20 + 8, 20, 0) & 0xffff).as("quoted IP checksum verifies").isIn(0, 0xffff);

        // Local externalIP: the reply went to the client itself, whose host answers port unreachable
        dp.applyServices(List.of(externalIp(false)));
        run(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40021, EXT_IP, 80, TCP_SYN));
        byte[] in2 = icmpError(CLIENT, EXT_IP, 3, 3, 0, Packets.build(Packets.tcp(EXT_IP, 80, CLIENT, 40021, TCP_ACK)), false);
        assertPacket(run(Datapath.FROM_HOST, in2), TC_ACT_REDIRECT,
                icmpError(CLIENT, B1, 3, 3, 0, Packets.build(Packets.tcp(B1, 8080, CLIENT, 40021, TCP_ACK)), true));

        // Cluster node port: the error goes to the node address the reply left from
        dp.applyServices(List.of(nodePort(true, List.of())));
        int npPort = sport(run(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40022, NODE, 30080, TCP_SYN)).packet());
        byte[] in3 = icmpError(router, NODE, 3, 4, 1400, Packets.build(Packets.tcp(NODE, 30080, CLIENT, 40022, TCP_ACK)), false);
        assertPacket(run(Datapath.FROM_HOST, in3), TC_ACT_REDIRECT,
                icmpError(router, B1, 3, 4, 1400, Packets.build(Packets.tcp(B1, 8080, NODE, npPort, TCP_ACK)), true));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(3);

        // an error about a reply of no flow is left alone, as is one about a flow's reply sent elsewhere
        byte[] other = icmpError(router, NODE, 3, 4, 1400, Packets.build(Packets.tcp(NODE, 30080, CLIENT, 40099, TCP_ACK)), false);
        assertPacket(run(Datapath.FROM_HOST, other),
                TC_ACT_UNSPEC, other);
        byte[] elsewhere = icmpError(router, "10.9.0.77", 3, 4, 1400,
                Packets.build(Packets.tcp(NODE, 30080, CLIENT, 40022, TCP_ACK)), false);
        assertPacket(run(Datapath.FROM_HOST, elsewhere),
                TC_ACT_UNSPEC, elsewhere);
    }

    @Test
    void anIcmpErrorAboutARequestSnatedToTheNodeGoesBackToTheClient() {
        dp.applyServices(List.of(externalIp(true), externalUdp(true)));
        // a router between node and a remote backend: fragmentation needed about the SNATed request, to the node
        String router = "10.2.0.254";
        Packets.Spec syn = Packets.tcp(CLIENT, 40030, EXT_IP, 80, TCP_SYN);
        byte[] out = run(Datapath.FROM_HOST, syn).packet();
        byte[] in = icmpError(router, NODE, 3, 4, 1400, out, false);
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        // the quote as the client would have sent it (one hop on: the TTL it left the node with)
        assertPacket(r, TC_ACT_REDIRECT, icmpError(router, CLIENT, 3, 4, 1400, Packets.build(routed(syn.copy())), true));
        assertThat(Packets.checksum(r.packet(), 14 + 20 + 8, 20, 0) & 0xffff).as("quoted IP checksum verifies").isIn(0, 0xffff);

        // a local backend's own port unreachable about a SNATed UDP request: from the externalIP, to the client
        Packets.Spec query = Packets.udp(CLIENT, 33000, EXT_IP, 53, new byte[8]);
        byte[] qOut = run(Datapath.FROM_HOST, query).packet();
        byte[] meant = Packets.build(routed(query.copy()));
        System.arraycopy(qOut, 14 + 20 + 6, meant, 14 + 20 + 6, 2); // the quoted UDP checksum is left as it was
        byte[] in2 = icmpError(B1, NODE, 3, 3, 0, qOut, false);
        assertPacket(run(Datapath.FROM_POD, in2), TC_ACT_REDIRECT,
                icmpError(EXT_IP, CLIENT, 3, 3, 0, meant, true));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(2);
    }

    /**
     * A pod client of a ClusterIP: the backend's answer reached it reverse-NATed (from the ClusterIP
     * and port). Its own stack's port unreachable about an answer it has no socket for, sent to the
     * ClusterIP as the pod leaves it (from_pod), goes on to the backend quoting the answer as the
     * backend sent it, so the backend's socket learns of it. An error addressed to the ClusterIP
     * that reaches the client's node on a host device (a router about the reverse-NATed answer) is
     * translated there too (from_host), as is one the client's node itself sends (to_host). Left
     * alone: a router's error about the answer as it crossed the fabric (untranslated, from the
     * backend: addressed to it already), an error about an answer of no flow, one not sent to the
     * address the quote comes from, and the pod's error once translated, leaving the node.
     */
    @Test
    void anIcmpErrorAboutAClusterIpsReplyToAPodGoesToTheBackend() {
        String clusterIp = "10.96.0.50";
        String pod = CLIENT;
        dp.applyServices(List.of(
                new ServiceSpec("shop/dns:dns", Frontend.of(clusterIp, 53, Protocol.UDP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 5353))),
                new ServiceSpec("shop/web:http", Frontend.of(clusterIp, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 8080)))));
        assertPacket(run(Datapath.FROM_POD, Packets.udp(pod, 33100, clusterIp, 53, new byte[8])), TC_ACT_OK,
                Packets.build(Packets.udp(pod, 33100, B1, 5353, new byte[8])));

        // the pod's port unreachable (RFC 792 type 3 code 3) about the answer as it arrived
        byte[] answer = Packets.build(Packets.udp(clusterIp, 53, pod, 33100, new byte[8]));
        byte[] sent = Packets.build(Packets.udp(B1, 5353, pod, 33100, new byte[8]));
        System.arraycopy(answer, 14 + 20 + 6, sent, 14 + 20 + 6, 2); // the quoted UDP checksum is left as it was
        byte[] unreachable = icmpError(pod, clusterIp, 3, 3, 0, answer, false);
        TestRun.Result r = run(Datapath.FROM_POD, unreachable);
        assertPacket(r, TC_ACT_REDIRECT, icmpError(pod, B1, 3, 3, 0, sent, true));
        assertThat(Packets.checksum(r.packet(), 14 + 20 + 8, 20, 0) & 0xffff).as("quoted IP checksum verifies").isIn(0, 0xffff);

        // fragmentation needed (RFC 1191: next-hop MTU 1400) about a TCP answer, to the ClusterIP, on a host device
        String router = "10.1.0.254";
        run(Datapath.FROM_POD, Packets.tcp(pod, 40100, clusterIp, 80, TCP_SYN));
        byte[] big = icmpError(router, clusterIp, 3, 4, 1400, Packets.build(Packets.tcp(clusterIp, 80, pod, 40100, TCP_ACK)), false);
        assertPacket(run(Datapath.FROM_HOST, big), TC_ACT_REDIRECT,
                icmpError(router, B1, 3, 4, 1400, Packets.build(Packets.tcp(B1, 8080, pod, 40100, TCP_ACK)), true));
        // the client's node itself, forwarding the answer into a pod veth of a smaller MTU: from the
        // node's address to the ClusterIP, caught leaving a host device (to_host)
        byte[] own = icmpError(NODE, clusterIp, 3, 4, 1280, Packets.build(Packets.tcp(clusterIp, 80, pod, 40100, TCP_ACK)), false);
        assertPacket(run(Datapath.TO_HOST, own), TC_ACT_REDIRECT,
                icmpError(NODE, B1, 3, 4, 1280, Packets.build(Packets.tcp(B1, 8080, pod, 40100, TCP_ACK)), true));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(3);

        // left alone: about the answer as it crossed the fabric (to the backend already), ...
        byte[] onTheWire = icmpError("10.2.0.254", B1, 3, 4, 1400, Packets.build(Packets.tcp(B1, 8080, pod, 40100, TCP_ACK)), false);
        assertPacket(run(Datapath.FROM_HOST, onTheWire),
                TC_ACT_UNSPEC, onTheWire);
        // ... about an answer of no flow, ...
        byte[] noFlow = icmpError(pod, clusterIp, 3, 3, 0, Packets.build(Packets.udp(clusterIp, 53, pod, 33199, new byte[8])), false);
        assertPacket(run(Datapath.FROM_POD, noFlow),
                TC_ACT_UNSPEC, noFlow);
        // ... and not sent to the ClusterIP the answer came from
        byte[] elsewhere = icmpError(pod, "10.2.0.99", 3, 3, 0, answer, false);
        assertPacket(run(Datapath.FROM_POD, elsewhere),
                TC_ACT_UNSPEC, elsewhere);
        // ... nor the pod's translated error on its way out of the node (it quotes the backend now)
        byte[] translated = icmpError(pod, B1, 3, 3, 0, sent, false);
        assertPacket(run(Datapath.TO_HOST, translated),
                TC_ACT_UNSPEC, translated);
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(3);
    }
}
