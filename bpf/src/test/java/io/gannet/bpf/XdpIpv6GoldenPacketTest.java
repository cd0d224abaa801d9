package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_PSH;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.SourceRange;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.Reason;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets through the IPv6 XDP fast path (xdp_from_host, lib/xdp_lb6.h): translated
 * cases with the L4 checksum updated by RFC 1624 arithmetic must equal independently built
 * frames (and verify over the IPv6 pseudo-header); the conntrack halves it writes are the ones
 * from_host writes, so a flow moves between XDP and TC either way; every case it leaves to TC
 * comes out untouched with XDP_PASS.
 */
class XdpIpv6GoldenPacketTest extends DatapathPerTest {
    static final int XDP_PASS = XdpGoldenPacketTest.XDP_PASS;
    static final String CLIENT = "2001:db8:1::5";
    static final String NODE = "fd00:9::1";
    static final String EXT = "2001:db8:80::10";
    static final String EXT_EMPTY = "2001:db8:80::11";
    static final String EXT_CLUSTER = "2001:db8:80::12";
    static final String EXT_RANGED = "2001:db8:80::13";
    static final String EXT_STICKY = "2001:db8:80::14";
    static final String CLUSTER_IP = "fd00:96::10";
    static final String B1 = "fd00:10:244:2::7";
    static final String B2 = "fd00:10:244:2::8";
    static final String B3 = "fd00:10:244:2::9";

    BpfProgram xdp;
    BpfProgram fromHost;

    @BeforeEach
    void applyTheServices() {
        xdp = dp.program(Datapath.XDP_FROM_HOST);
        fromHost = dp.program(Datapath.FROM_HOST);
        List<Backend> three = List.of(Backend.of(B1, 8080), Backend.of(B2, 8080), Backend.of(B3, 8080));
        dp.applyServices(List.of(
                new ServiceSpec("ext", Frontend.of(EXT, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, three),
                new ServiceSpec("ext-dns", Frontend.of(EXT, 53, Protocol.UDP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 5353))),
                new ServiceSpec("cluster", Frontend.of(CLUSTER_IP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM, three),
                new ServiceSpec("empty", Frontend.of(EXT_EMPTY, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, List.of()),
                new ServiceSpec("snat", Frontend.of(EXT_CLUSTER, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, three, 0,
                        Map.of(), ServiceSpec.Access.snatTo(false, Ipv6.parse(NODE))),
                new ServiceSpec("ranged", Frontend.of(EXT_RANGED, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, three, 0,
                        Map.of(), new ServiceSpec.Access(false, false, List.of(SourceRange.parse("2001:db8:1::/48")))),
                new ServiceSpec("nodeport", Frontend.of(NODE, 30080, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 8080)), 0, Map.of(), new ServiceSpec.Access(true, false, List.of())),
                new ServiceSpec("nodeport-dns", Frontend.of(NODE, 30080, Protocol.UDP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 5353)), 0, Map.of(), new ServiceSpec.Access(true, false, List.of())),
                new ServiceSpec("nodeport-cluster", Frontend.of(NODE, 30081, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 8080)), 0, Map.of(), new ServiceSpec.Access(true, true, List.of())),
                new ServiceSpec("sticky", Frontend.of(EXT_STICKY, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, three, 30)));
    }

    private TestRun.Result xdp(Packets.Spec p) {
        TestRun.Result r = xdp.testRun(Packets.build(p), 1);
        assertThat(r.verdict()).isEqualTo(XDP_PASS);
        assertThat(Packets.l4ChecksumOk(r.packet())).as("L4 checksum of the output\n" + Packets.hex(r.packet())).isTrue();
        return r;
    }

    private static Packets.Spec to(Packets.Spec p, String daddr, int dport) {
        Packets.Spec e = p.copy();
        e.daddr = daddr;
        e.dport = dport;
        return e;
    }

    private static Packets.Spec from(Packets.Spec p, String saddr, int sport) {
        Packets.Spec e = p.copy();
        e.saddr = saddr;
        e.sport = sport;
        return e;
    }

    private static void assertFrame(TestRun.Result r, Packets.Spec expected) {
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(Packets.build(expected)));
    }

    /** The conntrack halves of the flow from CLIENT's port, with only what does not depend on the second it was made in. */
    private List<String> halves(int clientPort) {
        List<String> out = new ArrayList<>();
        dp.conntrack6().snapshot().forEach((k, e) -> {
            if ((k.dir() == CtKey.EGRESS && k.sport() == clientPort) || (k.dir() == CtKey.REPLY && k.dport() == clientPort)) {
                out.add(describe(k, e));
            }
        });
        out.sort(null);
        return out;
    }

    private static String describe(CtKey6 k, CtEntry e) {
        return "dir " + k.dir() + " proto " + k.proto() + " backend " + e.backendId() + " revnat " + e.revNatIndex()
                + " seen " + e.seen() + " flags " + e.flags() + " lifetime " + (e.expires() - e.created());
    }

    @Test
    void newFlowIsDnatedItsNextSegmentsHitConntrackAndTheReplyIsReverseNated() {
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, EXT, 80, TCP_SYN);
        syn.payload = "abc".getBytes();
        TestRun.Result r = xdp(syn);
        String backend = Ipv6GoldenPacketTest.dst6(r.packet());
        assertThat(backend).isIn(B1, B2, B3);
        assertFrame(r, to(syn, backend, 8080));

        Packets.Spec ack = Packets.tcp(CLIENT, 40000, EXT, 80, TCP_ACK);
        assertFrame(xdp(ack), to(ack, backend, 8080));

        Packets.Spec synAck = Packets.tcp(backend, 8080, CLIENT, 40000, TCP_SYN | TCP_ACK);
        assertFrame(xdp(synAck), from(synAck, EXT, 80));

        // from_host at TC sees the translated packet as no service and leaves it alone
        byte[] translated = Packets.build(to(ack, backend, 8080));
        TestRun.Result tc = fromHost.testRun(translated, 1);
        assertThat(tc.verdict()).as("not Gannet's: left to the next filter").isEqualTo(-1);
        assertThat(tc.packet()).isEqualTo(translated);

        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_CT_HIT)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_REVERSE)).isEqualTo(1);
        assertThat(dp.conntrack().snapshot()).as("nothing in the IPv4 table").isEmpty();
    }

    @Test
    void xdpWritesTheConntrackHalvesFromHostWritesAndAFlowMovesBetweenThemEitherWay() {
        // one flow made by XDP, one by from_host: the same halves
        xdp(Packets.tcp(CLIENT, 40001, EXT, 80, TCP_SYN));
        fromHost.testRun(Packets.build(Packets.tcp(CLIENT, 40002, EXT, 80, TCP_SYN)), 1);
        List<String> byXdp = halves(40001);
        List<String> byTc = halves(40002);
        assertThat(byXdp).hasSize(2);
        assertThat(byXdp.stream().map(s -> s.replaceAll("backend \\d+", "backend N")).toList())
                .isEqualTo(byTc.stream().map(s -> s.replaceAll("backend \\d+", "backend N")).toList());

        // each flow's segments alternate between XDP and TC and keep their backend both ways
        for (int port : new int[] {40001, 40002}) {
            String backend = null;
            for (int i = 0; i < 12; i++) {
                Packets.Spec p = Packets.tcp(CLIENT, port, EXT, 80, TCP_ACK | TCP_PSH);
                p.payload = ("segment " + i).getBytes();
                TestRun.Result r = i % 2 == 0 ? xdp(p) : fromHost.testRun(Packets.build(p), 1);
                String dst = Ipv6GoldenPacketTest.dst6(r.packet());
                backend = backend == null ? dst : backend;
                assertThat(dst).as("flow from port %d, segment %d (%s)", port, i, i % 2 == 0 ? "XDP" : "TC").isEqualTo(backend);
                assertFrame(r, to(p, backend, 8080));
                Packets.Spec reply = Packets.tcp(backend, 8080, CLIENT, port, TCP_ACK);
                TestRun.Result back = i % 2 == 0 ? fromHost.testRun(Packets.build(reply), 1) : xdp(reply);
                assertFrame(back, from(reply, EXT, 80));
            }
        }
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(2);
        assertThat(dp.metrics().get(Reason.NAT_CT_HIT)).isEqualTo(24);
        assertThat(dp.metrics().get(Reason.NAT_REVERSE)).isEqualTo(24);
    }

    /**
     * A node port with externalTrafficPolicy Local (no SNAT; the frontend is the node address, as
     * lib/nodeport6.h programs it) is translated in XDP: its new flow's frame is the one from_host
     * writes for it, its conntrack halves are from_host's, and its segments alternate between XDP and
     * TC with one backend (a daemon restarted with or without --xdp). Its reply comes from a local
     * pod through from_pod; arriving on a host device it is left to from_host (the FIB redirect from
     * the node address). UDP too. A node port with Cluster is SNATed at TC: passed untouched.
     */
    @Test
    void nodePortWithLocalPolicyIsTranslatedInXdpAsFromHostTranslatesIt() {
        Packets.Spec syn = Packets.tcp(CLIENT, 41000, NODE, 30080, TCP_SYN);
        TestRun.Result r = xdp(syn);
        assertFrame(r, to(syn, B1, 8080));
        assertThat(dp.metrics().get(Reason.NAT_NEW)).as("translated in XDP").isEqualTo(1);
        // the same SYN (a retransmission) at TC: the same frame
        TestRun.Result tc = fromHost.testRun(Packets.build(syn), 1);
        assertThat(Packets.hex(tc.packet())).isEqualTo(Packets.hex(r.packet()));
        // a flow made at TC has the halves XDP writes
        Packets.Spec syn2 = Packets.tcp(CLIENT, 41001, NODE, 30080, TCP_SYN);
        assertFrame(fromHost.testRun(Packets.build(syn2), 1), to(syn2, B1, 8080));
        assertThat(halves(41000)).hasSize(2).isEqualTo(halves(41001));
        for (int port : new int[] {41000, 41001}) {
            for (int i = 0; i < 6; i++) {
                Packets.Spec p = Packets.tcp(CLIENT, port, NODE, 30080, TCP_ACK | TCP_PSH);
                p.payload = ("segment " + i).getBytes();
                TestRun.Result out = i % 2 == 0 ? xdp(p) : fromHost.testRun(Packets.build(p), 1);
                assertFrame(out, to(p, B1, 8080));
                if (i % 2 == 0) {
                    TestRun.Result after = fromHost.testRun(out.packet(), 1);
                    assertThat(after.verdict()).as("not Gannet's: left to the next filter").isEqualTo(-1);
                    assertThat(after.packet()).isEqualTo(out.packet());
                }
            }
        }
        byte[] synAck = Packets.build(Packets.tcp(B1, 8080, CLIENT, 41000, TCP_SYN | TCP_ACK));
        TestRun.Result back = xdp.testRun(synAck, 1);
        assertThat(back.verdict()).isEqualTo(XDP_PASS);
        assertThat(back.packet()).as("a node port's reply on a host device: from_host's").isEqualTo(synAck);

        Packets.Spec q = Packets.udp(CLIENT, 33100, NODE, 30080, "query!".getBytes());
        assertFrame(xdp(q), to(q, B1, 5353));
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(3);

        byte[] cluster = Packets.build(Packets.tcp(CLIENT, 41100, NODE, 30081, TCP_SYN));
        TestRun.Result c = xdp.testRun(cluster, 1);
        assertThat(c.verdict()).isEqualTo(XDP_PASS);
        assertThat(c.packet()).as("Cluster: SNAT is from_host's").isEqualTo(cluster);
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(3);
    }

    @Test
    void udpIsTranslatedWithItsChecksumUpdated() {
        Packets.Spec q = Packets.udp(CLIENT, 33000, EXT, 53, "query!".getBytes());
        assertFrame(xdp(q), to(q, B1, 5353));
        Packets.Spec a = Packets.udp(B1, 5353, CLIENT, 33000, "answer".getBytes());
        assertFrame(xdp(a), from(a, EXT, 53));
    }

    @Test
    void sessionAffinityKeepsAClientsNewFlowsOnOneBackend() {
        String first = Ipv6GoldenPacketTest.dst6(xdp(Packets.tcp(CLIENT, 43000, EXT_STICKY, 80, TCP_SYN)).packet());
        for (int port = 43001; port < 43020; port++) {
            assertThat(Ipv6GoldenPacketTest.dst6(xdp(Packets.tcp(CLIENT, port, EXT_STICKY, 80, TCP_SYN)).packet()))
                    .as("new flow from port %d", port).isEqualTo(first);
        }
        assertThat(dp.metrics().get(Reason.NAT_AFFINITY)).isEqualTo(19);
        // ... and from_host, reading the same dp_affinity6 entry, agrees
        assertThat(Ipv6GoldenPacketTest.dst6(fromHost.testRun(Packets.build(Packets.tcp(CLIENT, 43100, EXT_STICKY, 80, TCP_SYN)), 1).packet()))
                .isEqualTo(first);
        Set<String> spread = new HashSet<>();
        for (int c = 1; c < 60; c++) {
            spread.add(Ipv6GoldenPacketTest.dst6(xdp(Packets.tcp("2001:db8:1::" + Integer.toHexString(0x100 + c), 43000, EXT_STICKY, 80,
                    TCP_SYN)).packet()));
        }
        assertThat(spread).as("other clients spread over every backend").containsExactlyInAnyOrder(B1, B2, B3);
    }

    @Test
    void frontendWithoutBackendsIsLeftToTheRejectAtTc() {
        byte[] in = Packets.build(Packets.tcp(CLIENT, 40000, EXT_EMPTY, 80, TCP_SYN));
        TestRun.Result r = xdp.testRun(in, 1);
        assertThat(r.verdict()).isEqualTo(XDP_PASS);
        assertThat(r.packet()).isEqualTo(in);
        // from_host answers it with a RST
        fromHost.testRun(in, 1);
        assertThat(dp.metrics().get(Reason.REJECT_NO_BACKEND)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isZero();
    }

    @Test
    void casesLeftToTcPassUntouched() {
        // a node port's flow, made at TC: its reply leaves from the node address by FIB redirect, which is from_host's
        TestRun.Result np = fromHost.testRun(Packets.build(Packets.tcp(CLIENT, 40100, NODE, 30080, TCP_SYN)), 1);
        assertThat(Ipv6GoldenPacketTest.dst6(np.packet())).isEqualTo(B1);
        long natNew = dp.metrics().get(Reason.NAT_NEW);

        List<byte[]> untouched = new ArrayList<>();
        untouched.add(Packets.build(Packets.tcp(B1, 8080, CLIENT, 40100, TCP_SYN | TCP_ACK))); // the node port's reply
        untouched.add(Packets.build(Packets.tcp(CLIENT, 40101, NODE, 30081, TCP_SYN))); // a node port with Cluster: SNAT is TC's
        untouched.add(Packets.build(Packets.tcp(CLIENT, 40102, NODE, 30081, TCP_ACK)));
        untouched.add(Packets.build(Packets.tcp(CLIENT, 40000, EXT_CLUSTER, 80, TCP_SYN))); // Cluster: SNAT is TC's
        untouched.add(Packets.build(Packets.tcp(CLIENT, 40000, EXT_RANGED, 80, TCP_SYN))); // source ranges are TC's
        untouched.add(Packets.build(Packets.tcp(CLIENT, 40000, CLUSTER_IP, 80, TCP_SYN))); // ClusterIP: not from outside
        untouched.add(Packets.build(Packets.tcp(CLIENT, 40000, "2001:db8:80::99", 80, TCP_SYN))); // no service
        byte[] ext = Packets.build(Packets.tcp(CLIENT, 40000, EXT, 80, TCP_SYN));
        byte[] hopByHop = ext.clone();
        hopByHop[14 + 6] = 0; // next header: hop-by-hop options (extension headers are TC's, which leaves them alone)
        untouched.add(hopByHop);
        byte[] fragment = ext.clone();
        fragment[14 + 6] = 44; // a fragment header
        untouched.add(fragment);
        byte[] icmp6 = ext.clone();
        icmp6[14 + 6] = 58; // ICMPv6 (errors are lib/icmp6.h's at TC)
        untouched.add(icmp6);
        untouched.add(Arrays.copyOf(ext, 14 + 40 + 8)); // truncated TCP
        untouched.add(Arrays.copyOf(ext, 14 + 30)); // truncated IPv6 header
        byte[] v4in6 = ext.clone();
        v4in6[14] = 0x45; // an IPv4 version in an IPv6 frame
        untouched.add(v4in6);
        for (byte[] p : untouched) {
            TestRun.Result r = xdp.testRun(p, 1);
            assertThat(r.verdict()).isEqualTo(XDP_PASS);
            assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(p));
        }
        java.util.Random rnd = new java.util.Random(6);
        for (int i = 0; i < 100; i++) {
            byte[] junk = new byte[15 + rnd.nextInt(120)];
            rnd.nextBytes(junk);
            junk[12] = (byte) 0x86;
            junk[13] = (byte) 0xdd;
            assertThat(xdp.testRun(junk, 1).verdict()).isEqualTo(XDP_PASS);
        }
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(natNew);
        assertThat(dp.metrics().get(Reason.NAT_REVERSE)).isZero();
    }
}
