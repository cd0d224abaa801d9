package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.SourceRange;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.Reason;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets for IPv6 external frontends on host devices (lib/lb6.h, lib/nodeport6.h)
 * through BPF_PROG_TEST_RUN: externalIPs / load-balancer IPs and node ports on a node IPv6
 * address, with externalTrafficPolicy Cluster (SNAT to the node address) and Local (the
 * backend sees the client), and loadBalancerSourceRanges. Packets that leave from a node address are sent by FIB lookup and
 * redirect, so the programs run inside a namespace of this test with fixed routes and
 * neighbour: device {@code n60} (MAC 02:00:00:00:0b:01, fd00:9::1/64) with the next hop
 * fd00:9::2 (02:00:00:00:0b:02, permanent) for the clients' and backends' networks. Every
 * output's L4 checksum is verified over the IPv6 pseudo-header.
 */
class Ipv6NodePortGoldenTest extends DatapathPerTest {
    static final String NODE = "fd00:9::1";
    static final String CLIENT = "2001:db8:1::5";
    static final String EXT_IP = "2001:db8:80::80";
    static final String B1 = "fd00:10:244:2::7";
    static final byte[] DEV_MAC = {0x02, 0, 0, 0, 0x0b, 0x01};
    static final byte[] HOP_MAC = {0x02, 0, 0, 0, 0x0b, 0x02};

    NetworkNamespace ns;

    @BeforeEach
    void createNodeNamespace() {
        Requirements.requireNetns();
        ns = NetworkNamespace.create("np6g");
        runIn(ns.name());
        ns.exec("ip", "link", "add", "n60", "type", "veth", "peer", "name", "n61");
        ns.exec("ip", "link", "set", "n60", "address", "02:00:00:00:0b:01");
        ns.exec("ip", "addr", "add", NODE + "/64", "dev", "n60", "nodad");
        ns.exec("ip", "link", "set", "n60", "up");
        ns.exec("ip", "link", "set", "n61", "up");
        ns.exec("ip", "-6", "neigh", "replace", "fd00:9::2", "lladdr", "02:00:00:00:0b:02", "dev", "n60", "nud", "permanent");
        ns.exec("ip", "-6", "route", "add", "fd00:10:244::/48", "via", "fd00:9::2");
        ns.exec("ip", "-6", "route", "add", "2001:db8:1::/48", "via", "fd00:9::2");
        ns.exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
    }

    @AfterEach
    void removeNodeNamespace() {
        if (ns != null) {
            ns.close();
        }
    }

    /** An externalIP (or load-balancer IP) frontend; Cluster: SNAT to the node address. */
    private static ServiceSpec externalIp(boolean cluster) {
        return new ServiceSpec("shop/web:http", Frontend.of(EXT_IP, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080)), 0, Map.of(),
                cluster ? ServiceSpec.Access.snatTo(false, Ipv6.parse(NODE)) : ServiceSpec.Access.OPEN);
    }

    private static ServiceSpec nodePort(boolean cluster) {
        return new ServiceSpec("shop/web:http", Frontend.of(NODE, 30080, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080)), 0, Map.of(), new ServiceSpec.Access(true, cluster, List.of()));
    }

    /** As the packet leaves by FIB redirect: the next hop's MAC, one hop less (RFC 8200 section 3). */
    private static Packets.Spec routed(Packets.Spec p) {
        p.srcMac = DEV_MAC;
        p.dstMac = HOP_MAC;
        p.ttl -= 1;
        return p;
    }

    /** The TCP source port of an IPv6 frame. */
    private static int sport6(byte[] frame) {
        return Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(14 + 40));
    }

    @Test
    void aFragmentedUdpDatagramToAClusterPolicyExternalIpIsSnatedAndRedirectedFragmentByFragmentAndSoIsItsReply() {
        dp.applyServices(List.of(new ServiceSpec("shop/dns:dns", Frontend.of(EXT_IP, 53, Protocol.UDP), true,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(B1, 5353)), 0, Map.of(),
                ServiceSpec.Access.snatTo(false, Ipv6.parse(NODE)))));
        byte[] payload = new byte[56];
        Arrays.fill(payload, (byte) 0x5a);
        Packets.Spec q = Packets.udp(CLIENT, 33000, EXT_IP, 53, payload);
        byte[][] in = Packets.fragments6(q, 4242, 24);
        TestRun.Result first = run(Datapath.FROM_HOST, in[0]);
        int snatPort = Short.toUnsignedInt(ByteBuffer.wrap(first.packet()).getShort(14 + 40 + 8)); // behind the Fragment header
        Packets.Spec e = routed(q.copy());
        e.saddr = NODE;
        e.sport = snatPort;
        e.daddr = B1;
        e.dport = 5353;
        byte[][] out = Packets.fragments6(e, 4242, 24);
        assertPacket(first, TC_ACT_REDIRECT, out[0]);
        // the later fragment: both addresses as the first's, and the same redirect
        assertPacket(run(Datapath.FROM_HOST, in[1]), TC_ACT_REDIRECT, out[1]);

        // the backend's fragmented answer to the node: back to the client, from the external IP
        Packets.Spec answer = Packets.udp(B1, 5353, NODE, snatPort, payload);
        Packets.Spec back = routed(answer.copy());
        back.saddr = EXT_IP;
        back.sport = 53;
        back.daddr = CLIENT;
        back.dport = 33000;
        byte[][] ain = Packets.fragments6(answer, 99, 32);
        byte[][] aout = Packets.fragments6(back, 99, 32);
        assertPacket(run(Datapath.FROM_HOST, ain[0]), TC_ACT_REDIRECT, aout[0]);
        assertPacket(run(Datapath.FROM_HOST, ain[1]), TC_ACT_REDIRECT, aout[1]);
        assertThat(dp.metrics().get(Reason.NAT_FRAGMENT)).isEqualTo(2);
    }

    @Test
    void externalIpWithClusterPolicyIsSnatedToTheNodeAndTheReplyRestoresTheClient() {
        dp.applyServices(List.of(externalIp(true)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, EXT_IP, 80, TCP_SYN);
        TestRun.Result out = runChecked(Datapath.FROM_HOST, syn);
        int snatPort = sport6(out.packet());
        assertThat(snatPort).as("SNAT port above Linux's ephemeral range").isBetween(61000, 65535);
        Packets.Spec expected = routed(syn.copy());
        expected.saddr = NODE;
        expected.sport = snatPort;
        expected.daddr = B1;
        expected.dport = 8080;
        assertPacket(out, TC_ACT_REDIRECT, Packets.build(expected));

        // the backend's reply to the node: back to the client, from the external IP
        Packets.Spec synAck = Packets.tcp(B1, 8080, NODE, snatPort, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = EXT_IP;
        back.sport = 80;
        back.daddr = CLIENT;
        back.dport = 40000;
        assertPacket(runChecked(Datapath.FROM_HOST, synAck), TC_ACT_REDIRECT, Packets.build(back));

        // the flow's next packet keeps its backend and its SNAT port
        Packets.Spec ack = Packets.tcp(CLIENT, 40000, EXT_IP, 80, TCP_ACK);
        Packets.Spec ackOut = routed(ack.copy());
        ackOut.saddr = NODE;
        ackOut.sport = snatPort;
        ackOut.daddr = B1;
        ackOut.dport = 8080;
        assertPacket(runChecked(Datapath.FROM_HOST, ack), TC_ACT_REDIRECT, Packets.build(ackOut));

        // a packet of the flow that arrives with hop limit 1 is not forwarded
        Packets.Spec last = Packets.tcp(CLIENT, 40000, EXT_IP, 80, TCP_ACK);
        last.ttl = 1;
        assertThat(runChecked(Datapath.FROM_HOST, last).verdict()).isEqualTo(TC_ACT_SHOT);

        // both halves are SNATed IPv6 entries; nothing went into the IPv4 maps
        assertThat(dp.conntrack6().snapshot().values()).hasSize(2).allMatch(e -> (e.flags() & CtEntry.F_SNAT) != 0);
        assertThat(dp.conntrack().snapshot()).isEmpty();
        Map<Reason, Long> m = dp.metrics();
        assertThat(m.get(Reason.NAT_SNAT)).isEqualTo(1);
        assertThat(m.get(Reason.NAT_NEW)).isEqualTo(1);
        assertThat(m.get(Reason.NAT_CT_HIT)).isEqualTo(2);
        assertThat(m.get(Reason.NAT_REVERSE)).isEqualTo(1);
        assertThat(m.get(Reason.REDIRECT_FIB)).isEqualTo(3);
        assertThat(m.get(Reason.DROP_TTL_EXCEEDED)).isEqualTo(1);

        // expired: the garbage collector takes the conntrack halves and their SNAT rewrites
        dp.conntrack6().snapshot().forEach((k, e) -> dp.conntrack6().put(k,
                new CtEntry(e.backendId(), 0, e.created(), e.revNatIndex(), e.seen(), e.flags())));
        assertThat(dp.collectGarbage()).isEqualTo(2);
        assertThat(entries(DpMaps.SNAT6.name())).isZero();
    }

    @Test
    void externalIpWithLocalPolicyKeepsTheClientAndTheLocalBackendsReplyIsReverseNated() {
        dp.applyServices(List.of(externalIp(false)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40001, EXT_IP, 80, TCP_SYN);
        Packets.Spec expected = syn.copy();
        expected.daddr = B1;
        expected.dport = 8080;
        // DNAT only: the stack forwards it to the local pod, which sees the client
        assertPacket(runChecked(Datapath.FROM_HOST, syn), TC_ACT_OK, Packets.build(expected));

        // the pod's reply: from the external IP again, forwarded by the stack (not a node address)
        Packets.Spec synAck = Packets.tcp(B1, 8080, CLIENT, 40001, TCP_SYN | TCP_ACK);
        Packets.Spec back = synAck.copy();
        back.saddr = EXT_IP;
        back.sport = 80;
        assertPacket(runChecked(Datapath.FROM_POD, synAck), TC_ACT_OK, Packets.build(back));
        assertThat(dp.metrics().get(Reason.NAT_SNAT)).isZero();
        assertThat(dp.conntrack6().snapshot().values()).hasSize(2).allMatch(e -> e.flags() == 0);
    }

    @Test
    void nodePortWithClusterPolicyLeavesFromItsOwnNodeAddress() {
        dp.applyServices(List.of(nodePort(true)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40002, NODE, 30080, TCP_SYN);
        TestRun.Result out = runChecked(Datapath.FROM_HOST, syn);
        int snatPort = sport6(out.packet());
        Packets.Spec expected = routed(syn.copy());
        expected.saddr = NODE;
        expected.sport = snatPort;
        expected.daddr = B1;
        expected.dport = 8080;
        assertPacket(out, TC_ACT_REDIRECT, Packets.build(expected));
        Packets.Spec synAck = Packets.tcp(B1, 8080, NODE, snatPort, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = NODE;
        back.sport = 30080;
        back.daddr = CLIENT;
        back.dport = 40002;
        assertPacket(runChecked(Datapath.FROM_HOST, synAck), TC_ACT_REDIRECT, Packets.build(back));
    }

    @Test
    void nodePortWithLocalPolicyKeepsTheClientAndRedirectsTheReplyFromTheNodeAddress() {
        dp.applyServices(List.of(nodePort(false)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40003, NODE, 30080, TCP_SYN);
        Packets.Spec expected = syn.copy();
        expected.daddr = B1;
        expected.dport = 8080;
        assertPacket(runChecked(Datapath.FROM_HOST, syn), TC_ACT_OK, Packets.build(expected));

        // the pod's reply leaves from the node address: redirected past the forwarding path
        Packets.Spec synAck = Packets.tcp(B1, 8080, CLIENT, 40003, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = NODE;
        back.sport = 30080;
        assertPacket(runChecked(Datapath.FROM_POD, synAck), TC_ACT_REDIRECT, Packets.build(back));

        // a client the node has no route to: dropped with its reason
        runChecked(Datapath.FROM_HOST, Packets.tcp("2001:db8:99::9", 40004, NODE, 30080, TCP_SYN));
        assertThat(runChecked(Datapath.FROM_POD, Packets.tcp(B1, 8080, "2001:db8:99::9", 40004, TCP_SYN | TCP_ACK)).verdict())
                .isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_NO_ROUTE)).isEqualTo(1);
    }

    @Test
    void aClusterIpIsNotTranslatedOnAHostDeviceAndPodsReachExternalFrontendsWithoutSnat() {
        String clusterIp = "fd00:96::a";
        dp.applyServices(List.of(externalIp(true), new ServiceSpec("shop/web:http", Frontend.of(clusterIp, 80, Protocol.TCP),
                false, ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(B1, 8080)))));
        byte[] toClusterIp = Packets.build(Packets.tcp(CLIENT, 40005, clusterIp, 80, TCP_SYN));
        assertPacket(runChecked(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40005, clusterIp, 80, TCP_SYN)), TC_ACT_UNSPEC, toClusterIp);
        assertThat(dp.metrics().get(Reason.PASS_NO_SERVICE)).isEqualTo(1);

        // a pod reaching the external IP is DNATed only (pod addresses are routed in the cluster)
        Packets.Spec fromPod = Packets.tcp("fd00:10:244:1::5", 40006, EXT_IP, 80, TCP_SYN);
        Packets.Spec dnat = fromPod.copy();
        dnat.daddr = B1;
        dnat.dport = 8080;
        assertPacket(runChecked(Datapath.FROM_POD, fromPod), TC_ACT_OK, Packets.build(dnat));
        assertThat(dp.metrics().get(Reason.NAT_SNAT)).isZero();
    }

    /**
     * Hairpin, as {@code NodePortGoldenTest} for IPv4: a pod that its ClusterIP sends to itself gets
     * its request from the service address (its stack drops a packet from its own address), sent
     * back by FIB redirect, and its reply gets the service address and port back.
     */
    @Test
    void hairpinSnatsAPodPickedAsItsOwnBackendToTheServiceAddress() {
        String vip = "fd00:96::28";
        String pod = B1;
        dp.applyServices(List.of(new ServiceSpec("shop/self:http", Frontend.of(vip, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(pod, 8080)))));
        Packets.Spec syn = Packets.tcp(pod, 40020, vip, 80, TCP_SYN);
        TestRun.Result out = runChecked(Datapath.FROM_POD, syn);
        int hairpinPort = sport6(out.packet());
        assertThat(hairpinPort).isBetween(61000, 65535);
        Packets.Spec expected = routed(syn.copy());
        expected.saddr = vip;
        expected.sport = hairpinPort;
        expected.daddr = pod;
        expected.dport = 8080;
        assertPacket(out, TC_ACT_REDIRECT, Packets.build(expected));
        // on its way into the pod (to_pod, after the redirect) the request is left as it is
        Packets.Spec arriving = expected.copy();
        assertPacket(runChecked(Datapath.TO_POD, arriving), TC_ACT_UNSPEC, Packets.build(arriving));

        // the pod's answer to the service address and hairpin port: back to itself, from the service
        Packets.Spec synAck = Packets.tcp(pod, 8080, vip, hairpinPort, TCP_SYN | TCP_ACK);
        Packets.Spec back = routed(synAck.copy());
        back.saddr = vip;
        back.sport = 80;
        back.daddr = pod;
        back.dport = 40020;
        assertPacket(runChecked(Datapath.FROM_POD, synAck), TC_ACT_REDIRECT, Packets.build(back));

        // the flow's next packet keeps its hairpin port
        Packets.Spec ack = Packets.tcp(pod, 40020, vip, 80, TCP_ACK);
        Packets.Spec ackOut = routed(ack.copy());
        ackOut.saddr = vip;
        ackOut.sport = hairpinPort;
        ackOut.daddr = pod;
        ackOut.dport = 8080;
        assertPacket(runChecked(Datapath.FROM_POD, ack), TC_ACT_REDIRECT, Packets.build(ackOut));

        Map<Reason, Long> m = dp.metrics();
        assertThat(m.get(Reason.NAT_HAIRPIN)).isEqualTo(1);
        assertThat(m.get(Reason.NAT_SNAT)).isZero();
        // the NAT pair, and the plain entry to_pod made for the request arriving (already translated), as for IPv4
        assertThat(dp.conntrack6().snapshot().entrySet()).filteredOn(e -> e.getKey().dir() != CtKey.PLAIN)
                .hasSize(2).allMatch(e -> (e.getValue().flags() & CtEntry.F_SNAT) != 0);
        assertThat(dp.conntrack6().snapshot().entrySet()).filteredOn(e -> e.getKey().dir() == CtKey.PLAIN).singleElement()
                .satisfies(e -> assertThat(e.getKey().sport()).isEqualTo(hairpinPort))
                .satisfies(e -> assertThat(e.getValue().flags()).isEqualTo(CtEntry.F_INGRESS_OK));
        assertThat(entries(DpMaps.SNAT6.name())).isEqualTo(2);
        assertThat(dp.conntrack().snapshot()).as("nothing in the IPv4 maps").isEmpty();

        // another client of the same service is DNATed only
        Packets.Spec other = Packets.tcp("fd00:10:244:1::5", 40021, vip, 80, TCP_SYN);
        Packets.Spec dnat = other.copy();
        dnat.daddr = pod;
        dnat.dport = 8080;
        assertPacket(runChecked(Datapath.FROM_POD, other), TC_ACT_OK, Packets.build(dnat));
        assertThat(dp.metrics().get(Reason.NAT_HAIRPIN)).isEqualTo(1);
    }

    /** A reply segment from {@code saddr:sport} to {@code daddr:dport}, quoted with {@code csumFrom}'s TCP checksum if given. */
    private static byte[] replySegment(String saddr, int sport, String daddr, int dport, byte[] csumFrom) {
        Packets.Spec p = Packets.tcp(saddr, sport, daddr, dport, TCP_ACK | Packets.TCP_PSH);
        p.payload = "a large answer".getBytes();
        byte[] b = Packets.build(p);
        if (csumFrom != null) {
            System.arraycopy(csumFrom, 14 + 40 + 16, b, 14 + 40 + 16, 2); // the quoted L4 checksum is left as it was
        }
        return b;
    }

    /** As an ICMPv6 error leaves by FIB redirect: the next hop's MAC, one hop less. */
    private static byte[] routed(byte[] frame) {
        System.arraycopy(HOP_MAC, 0, frame, 0, 6);
        System.arraycopy(DEV_MAC, 0, frame, 6, 6);
        frame[14 + 7] -= 1;
        return frame;
    }

    @Test
    void aPacketTooBigAboutAReplyGoesToTheBackendQuotingTheReplyAsItSentIt() {
        String router = "2001:db8:1::fe";
        // Cluster: the backend's reply went to the node address and SNAT port
        dp.applyServices(List.of(externalIp(true)));
        int snatPort = sport6(runChecked(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40020, EXT_IP, 80, TCP_SYN)).packet());
        byte[] left = replySegment(EXT_IP, 80, CLIENT, 40020, null);
        byte[] in = Ipv6GoldenPacketTest.icmp6Error(router, EXT_IP, 2, 0, 1280, left);
        byte[] expected = routed(Ipv6GoldenPacketTest.icmp6Error(router, B1, 2, 0, 1280,
                replySegment(B1, 8080, NODE, snatPort, left)));
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        assertThat(Packets.l4ChecksumOk(r.packet())).as("ICMPv6 checksum\n" + Packets.hex(r.packet())).isTrue();
        assertPacket(r, TC_ACT_REDIRECT, expected);

        // Local: the backend's reply went to the client itself
        dp.applyServices(List.of(externalIp(false)));
        runChecked(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40021, EXT_IP, 80, TCP_SYN));
        byte[] left2 = replySegment(EXT_IP, 80, CLIENT, 40021, null);
        byte[] in2 = Ipv6GoldenPacketTest.icmp6Error(router, EXT_IP, 2, 0, 1280, left2);
        byte[] expected2 = routed(Ipv6GoldenPacketTest.icmp6Error(router, B1, 2, 0, 1280,
                replySegment(B1, 8080, CLIENT, 40021, left2)));
        assertPacket(run(Datapath.FROM_HOST, in2), TC_ACT_REDIRECT,
                expected2);
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(2);

        // an error about a reply of no flow is left alone
        byte[] other = Ipv6GoldenPacketTest.icmp6Error(router, EXT_IP, 2, 0, 1280, replySegment(EXT_IP, 80, CLIENT, 40099, null));
        assertPacket(run(Datapath.FROM_HOST, other), TC_ACT_UNSPEC, other);
    }

    private TestRun.Result runFrame(String program, byte[] frame) {
        TestRun.Result r = run(program, frame);
        assertThat(Packets.l4ChecksumOk(r.packet())).as("ICMPv6 checksum\n" + Packets.hex(r.packet())).isTrue();
        return r;
    }

    /**
     * As {@code NodePortGoldenTest} for IPv4: a pod client's own port unreachable about a ClusterIP's
     * answer (from the ClusterIP, as it arrived) goes on to the backend from the pod's egress, quoting
     * the answer as the backend sent it; a Packet Too Big to the ClusterIP reaching the client's node
     * on a host device does too, as does one the client's node itself sends (to_host). Left alone:
     * one about the answer as it crossed the fabric (to the backend already), one about an answer of
     * no flow, one not sent to the ClusterIP, and the pod's error once translated, leaving the node.
     */
    @Test
    void anIcmpv6ErrorAboutAClusterIpsReplyToAPodGoesToTheBackend() {
        String clusterIp = "fd00:96::32";
        String pod = "fd00:10:244:1::5";
        dp.applyServices(List.of(
                new ServiceSpec("shop/dns:dns", Frontend.of(clusterIp, 53, Protocol.UDP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 5353))),
                new ServiceSpec("shop/web:http", Frontend.of(clusterIp, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 8080)))));
        assertPacket(runChecked(Datapath.FROM_POD, Packets.udp(pod, 33100, clusterIp, 53, new byte[8])), TC_ACT_OK,
                Packets.build(Packets.udp(pod, 33100, B1, 5353, new byte[8])));

        // the pod's port unreachable (RFC 4443 type 1 code 4) about the answer as it arrived
        byte[] answer = Packets.build(Packets.udp(clusterIp, 53, pod, 33100, new byte[8]));
        byte[] sent = Packets.build(Packets.udp(B1, 5353, pod, 33100, new byte[8]));
        System.arraycopy(answer, 14 + 40 + 6, sent, 14 + 40 + 6, 2); // the quoted UDP checksum is left as it was
        assertPacket(runFrame(Datapath.FROM_POD, Ipv6GoldenPacketTest.icmp6Error(pod, clusterIp, 1, 4, 0, answer)),
                TC_ACT_REDIRECT, routed(Ipv6GoldenPacketTest.icmp6Error(pod, B1, 1, 4, 0, sent)));

        // a Packet Too Big (MTU 1280) about a TCP answer, to the ClusterIP, on a host device
        String router = "2001:db8:1::fe";
        runChecked(Datapath.FROM_POD, Packets.tcp(pod, 40100, clusterIp, 80, TCP_SYN));
        byte[] left = replySegment(clusterIp, 80, pod, 40100, null);
        assertPacket(runFrame(Datapath.FROM_HOST, Ipv6GoldenPacketTest.icmp6Error(router, clusterIp, 2, 0, 1280, left)),
                TC_ACT_REDIRECT, routed(Ipv6GoldenPacketTest.icmp6Error(router, B1, 2, 0, 1280,
                        replySegment(B1, 8080, pod, 40100, left))));
        // the client's node itself, forwarding the answer into a pod veth of a smaller MTU: from the
        // node's address to the ClusterIP, caught leaving a host device (to_host)
        assertPacket(runFrame(Datapath.TO_HOST, Ipv6GoldenPacketTest.icmp6Error(NODE, clusterIp, 2, 0, 1280, left)),
                TC_ACT_REDIRECT, routed(Ipv6GoldenPacketTest.icmp6Error(NODE, B1, 2, 0, 1280,
                        replySegment(B1, 8080, pod, 40100, left))));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(3);

        // left alone: about the answer as it crossed the fabric (to the backend already), ...
        byte[] onTheWire = Ipv6GoldenPacketTest.icmp6Error("fd00:10:244:2::fe", B1, 2, 0, 1280,
                replySegment(B1, 8080, pod, 40100, null));
        assertPacket(runFrame(Datapath.FROM_HOST, onTheWire), TC_ACT_UNSPEC, onTheWire);
        // ... about an answer of no flow, ...
        byte[] noFlow = Ipv6GoldenPacketTest.icmp6Error(pod, clusterIp, 1, 4, 0,
                Packets.build(Packets.udp(clusterIp, 53, pod, 33199, new byte[8])));
        assertPacket(runFrame(Datapath.FROM_POD, noFlow), TC_ACT_UNSPEC, noFlow);
        // ... and not sent to the ClusterIP the answer came from
        byte[] elsewhere = Ipv6GoldenPacketTest.icmp6Error(pod, "fd00:10:244:2::63", 1, 4, 0, answer);
        assertPacket(runFrame(Datapath.FROM_POD, elsewhere), TC_ACT_UNSPEC, elsewhere);
        // ... nor the pod's translated error on its way out of the node (it quotes the backend now)
        byte[] translated = Ipv6GoldenPacketTest.icmp6Error(pod, B1, 1, 4, 0, sent);
        assertPacket(runFrame(Datapath.TO_HOST, translated), TC_ACT_UNSPEC, translated);
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(3);
    }

    @Test
    void aPacketTooBigAboutARequestSnatedToTheNodeGoesBackToTheClient() {
        dp.applyServices(List.of(externalIp(true)));
        // a router between node and a remote backend: Packet Too Big about the SNATed request, to the node
        String router = "fd00:10:244:2::fe";
        Packets.Spec syn = Packets.tcp(CLIENT, 40030, EXT_IP, 80, TCP_SYN);
        syn.payload = "a request too big for a link on the way".getBytes();
        byte[] out = runChecked(Datapath.FROM_HOST, syn).packet();
        byte[] meant = Packets.build(routed(syn.copy())); // as the client sent it, one hop on
        System.arraycopy(out, 14 + 40 + 16, meant, 14 + 40 + 16, 2); // the quoted TCP checksum is left as it was
        byte[] in = Ipv6GoldenPacketTest.icmp6Error(router, NODE, 2, 0, 1280, out);
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        assertThat(Packets.l4ChecksumOk(r.packet())).as("ICMPv6 checksum\n" + Packets.hex(r.packet())).isTrue();
        assertPacket(r, TC_ACT_REDIRECT, routed(Ipv6GoldenPacketTest.icmp6Error(router, CLIENT, 2, 0, 1280, meant)));

        // a local backend's own error about it: from the external IP, to the client
        byte[] in2 = Ipv6GoldenPacketTest.icmp6Error(B1, NODE, 1, 4, 0, out);
        TestRun.Result r2 = run(Datapath.FROM_POD, in2);
        assertThat(Packets.l4ChecksumOk(r2.packet())).as("ICMPv6 checksum\n" + Packets.hex(r2.packet())).isTrue();
        assertPacket(r2, TC_ACT_REDIRECT, routed(Ipv6GoldenPacketTest.icmp6Error(EXT_IP, CLIENT, 1, 4, 0, meant)));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(2);
    }

    @Test
    void theSnatSourceIsReadoptedOnRestartAndRemovedWithItsFrontend() {
        dp.applyServices(List.of(externalIp(true)));
        assertThat(entries(DpMaps.SNAT6_SRC.name())).isEqualTo(1);
        reopen();
        assertThat(dp.applyServices(List.of(externalIp(true))).changed()).as("re-adopted as it was").isFalse();
        assertThat(runChecked(Datapath.FROM_HOST, Packets.tcp(CLIENT, 40007, EXT_IP, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_REDIRECT);
        // Local now: the source goes (after the master stops naming SNAT)
        assertThat(dp.applyServices(List.of(externalIp(false))).changed()).isTrue();
        assertThat(entries(DpMaps.SNAT6_SRC.name())).isZero();
        dp.applyServices(List.of(externalIp(true)));
        dp.applyServices(List.of());
        assertThat(entries(DpMaps.SNAT6_SRC.name())).isZero();
    }

    @Test
    void loadBalancerSourceRangesDropOtherSourcesWithTheirReason() {
        String lbIp = "2001:db8:80::81";
        ServiceSpec lb = new ServiceSpec("shop/lb:http", Frontend.of(lbIp, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080)), 0, Map.of(), new ServiceSpec.Access(false, false,
                        List.of(SourceRange.parse("2001:db8:1::/48"), SourceRange.parse("2001:db8:7::7/128"))));
        dp.applyServices(List.of(lb));
        for (String allowed : List.of(CLIENT, "2001:db8:7::7")) {
            Packets.Spec syn = Packets.tcp(allowed, 40010, lbIp, 80, TCP_SYN);
            Packets.Spec expected = syn.copy();
            expected.daddr = B1;
            expected.dport = 8080;
            assertPacket(runChecked(Datapath.FROM_HOST, syn), TC_ACT_OK, Packets.build(expected));
        }
        for (String denied : List.of("2001:db8:2::5", "2001:db8:7::8")) {
            assertThat(runChecked(Datapath.FROM_HOST, Packets.tcp(denied, 40011, lbIp, 80, TCP_SYN)).verdict())
                    .as(denied).isEqualTo(TC_ACT_SHOT);
        }
        // pods are held to the ranges too, as for IPv4
        assertThat(runChecked(Datapath.FROM_POD, Packets.tcp("fd00:10:244:1::6", 40012, lbIp, 80, TCP_SYN)).verdict())
                .isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_SOURCE_RANGE)).isEqualTo(3);

        // an agent restart re-adopts the ranges from the pinned trie: the same desired state changes nothing
        reopen();
        assertThat(dp.applyServices(List.of(lb)).changed()).isFalse();
        assertThat(runChecked(Datapath.FROM_HOST, Packets.tcp("2001:db8:2::5", 40014, lbIp, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);

        // the ranges lifted: everyone is served; the trie is emptied
        dp.applyServices(List.of(new ServiceSpec("shop/lb:http", Frontend.of(lbIp, 80, Protocol.TCP), true,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(B1, 8080)))));
        assertThat(runChecked(Datapath.FROM_HOST, Packets.tcp("2001:db8:2::5", 40013, lbIp, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(entries(DpMaps.SRC_RANGE6.name())).isZero();
    }
}
