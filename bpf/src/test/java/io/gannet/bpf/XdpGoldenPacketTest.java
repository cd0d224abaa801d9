package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.Reason;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets through the XDP fast path (xdp_from_host): translated cases with checksums
 * updated by RFC 1624 arithmetic must equal independently built frames; every case it
 * leaves to TC must come out untouched with XDP_PASS.
 */
class XdpGoldenPacketTest extends DatapathPerTest {
    static final int XDP_PASS = 2;
    static final int TC_ACT_OK = 0;
    static final String REMOTE = "198.51.100.7";
    static final String EXT = "192.0.2.10";
    static final String EXT_EMPTY = "192.0.2.11";
    static final String CLUSTER_IP = "10.96.0.10";
    static final String B1 = "10.2.0.7";
    static final String EXT_STICKY = "192.0.2.12";
    /** A node address: node ports are one frontend per node address (lib/nodeport.h). */
    static final String NODE = "10.9.0.1";
    static final int NP_LOCAL = 30080;
    static final int NP_CLUSTER = 30081;

    BpfProgram xdp;

    @BeforeEach
    void applyTheServices() {
        xdp = dp.program(Datapath.XDP_FROM_HOST);
        Backend b = Backend.of(B1, 8080);
        Backend u = Backend.of(B1, 5353);
        dp.applyServices(List.of(
                new ServiceSpec("ext", Frontend.of(EXT, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, List.of(b)),
                new ServiceSpec("ext-dns", Frontend.of(EXT, 53, Protocol.UDP), true, ServiceSpec.Algorithm.RANDOM, List.of(u)),
                new ServiceSpec("cluster", Frontend.of(CLUSTER_IP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM, List.of(b)),
                new ServiceSpec("empty", Frontend.of(EXT_EMPTY, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM, List.of()),
                new ServiceSpec("sticky", Frontend.of(EXT_STICKY, 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(b, Backend.of("10.2.0.8", 8080), Backend.of("10.2.0.9", 8080)), 30),
                new ServiceSpec("np-local", Frontend.of(NODE, NP_LOCAL, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(b), 0, java.util.Map.of(), new ServiceSpec.Access(true, false, List.of())),
                new ServiceSpec("np-local-dns", Frontend.of(NODE, NP_LOCAL, Protocol.UDP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(u), 0, java.util.Map.of(), new ServiceSpec.Access(true, false, List.of())),
                new ServiceSpec("np-cluster", Frontend.of(NODE, NP_CLUSTER, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                        List.of(b), 0, java.util.Map.of(), new ServiceSpec.Access(true, true, List.of()))));
    }

    void assertOut(byte[] in, byte[] expected) {
        TestRun.Result r = xdp.testRun(in, 1);
        assertThat(r.verdict()).isEqualTo(XDP_PASS);
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(expected));
    }

    @Test
    void externalIpDnatReverseNatAndConntrackHit() {
        Packets.Spec syn = Packets.tcp(REMOTE, 40000, EXT, 80, TCP_SYN);
        syn.payload = "abc".getBytes();
        Packets.Spec exp = syn.copy();
        exp.daddr = B1;
        exp.dport = 8080;
        assertOut(Packets.build(syn), Packets.build(exp));

        Packets.Spec ack = Packets.tcp(REMOTE, 40000, EXT, 80, TCP_ACK);
        Packets.Spec ackExp = ack.copy();
        ackExp.daddr = B1;
        ackExp.dport = 8080;
        assertOut(Packets.build(ack), Packets.build(ackExp));

        Packets.Spec reply = Packets.tcp(B1, 8080, REMOTE, 40000, TCP_SYN | TCP_ACK);
        Packets.Spec replyExp = reply.copy();
        replyExp.saddr = EXT;
        replyExp.sport = 80;
        assertOut(Packets.build(reply), Packets.build(replyExp));

        // from_host at TC sees the translated packet as no service and leaves it alone
        byte[] translated = Packets.build(ackExp);
        TestRun.Result tc = dp.program(Datapath.FROM_HOST).testRun(translated, 1);
        assertThat(tc.verdict()).as("not Gannet's: left to the next filter").isEqualTo(-1);
        assertThat(tc.packet()).isEqualTo(translated);

        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_CT_HIT)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_REVERSE)).isEqualTo(1);
    }

    /** The conntrack halves of the flow from clientPort, with only what does not depend on the second it was made in. */
    private List<String> halves(int clientPort) {
        List<String> out = new java.util.ArrayList<>();
        dp.conntrack().snapshot().forEach((k, e) -> {
            if ((k.dir() == CtKey.EGRESS && k.sport() == clientPort) || (k.dir() == CtKey.REPLY && k.dport() == clientPort)) {
                out.add("dir " + k.dir() + " proto " + k.proto() + " backend " + e.backendId() + " revnat " + e.revNatIndex()
                        + " seen " + e.seen() + " flags " + e.flags() + " lifetime " + (e.expires() - e.created()));
            }
        });
        out.sort(null);
        return out;
    }

    /**
     * A node port with externalTrafficPolicy Local (no SNAT) is translated in XDP: the frame XDP
     * writes for a new flow is the one from_host writes for it, the conntrack halves are the ones
     * from_host writes (so the flow moves between XDP and TC either way: a daemon restarted with or
     * without --xdp), and from_host then sees it as no service's. UDP too.
     */
    @Test
    void nodePortWithLocalPolicyIsTranslatedInXdpAsFromHostTranslatesIt() {
        BpfProgram fromHost = dp.program(Datapath.FROM_HOST);
        Packets.Spec syn = Packets.tcp(REMOTE, 41000, NODE, NP_LOCAL, TCP_SYN);
        byte[] byXdp = xdp.testRun(Packets.build(syn), 1).packet();
        assertThat(Packets.hex(byXdp)).isEqualTo(Packets.hex(Packets.build(to(syn, B1, 8080))));
        assertThat(dp.metrics().get(Reason.NAT_NEW)).as("translated in XDP").isEqualTo(1);
        // the same flow's SYN (a retransmission) at TC: the same frame
        TestRun.Result tc = fromHost.testRun(Packets.build(syn), 1);
        assertThat(tc.verdict()).as("translated at TC").isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(tc.packet())).isEqualTo(Packets.hex(byXdp));
        // another flow made at TC: the same conntrack halves as XDP's
        Packets.Spec syn2 = Packets.tcp(REMOTE, 41001, NODE, NP_LOCAL, TCP_SYN);
        assertThat(Packets.hex(fromHost.testRun(Packets.build(syn2), 1).packet())).isEqualTo(Packets.hex(Packets.build(to(syn2, B1, 8080))));
        assertThat(halves(41000)).hasSize(2).isEqualTo(halves(41001));

        // segments alternate between XDP and TC; from_host passes what XDP translated as no service's
        for (int port : new int[] {41000, 41001}) {
            for (int i = 0; i < 6; i++) {
                Packets.Spec p = Packets.tcp(REMOTE, port, NODE, NP_LOCAL, Packets.TCP_ACK | Packets.TCP_PSH);
                p.payload = ("segment " + i).getBytes();
                byte[] in = Packets.build(p);
                byte[] out = (i % 2 == 0 ? xdp : fromHost).testRun(in, 1).packet();
                assertThat(Packets.hex(out)).as("port %d segment %d", port, i).isEqualTo(Packets.hex(Packets.build(to(p, B1, 8080))));
                if (i % 2 == 0) {
                    TestRun.Result after = fromHost.testRun(out, 1);
                    assertThat(after.verdict()).as("not Gannet's: left to the next filter").isEqualTo(-1);
                    assertThat(after.packet()).isEqualTo(out);
                }
            }
        }
        // the local backend's reply passes from_pod (it needs the pod attached and a route: DaemonNodePortTest and
        // DaemonIpv6ExternalServicesTest); arriving on a host device it is from_host's, whose FIB redirect sends it on
        // from the node address
        byte[] synAck = Packets.build(Packets.tcp(B1, 8080, REMOTE, 41000, TCP_SYN | TCP_ACK));
        assertOut(synAck, synAck);

        Packets.Spec q = Packets.udp(REMOTE, 33100, NODE, NP_LOCAL, "query!".getBytes());
        assertOut(Packets.build(q), Packets.build(to(q, B1, 5353)));
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(3);
    }

    /** A node port with externalTrafficPolicy Cluster is SNATed to the node: from_host's, passed by XDP untouched. */
    @Test
    void nodePortWithClusterPolicyIsLeftToFromHost() {
        byte[] syn = Packets.build(Packets.tcp(REMOTE, 41100, NODE, NP_CLUSTER, TCP_SYN));
        assertOut(syn, syn);
        byte[] ack = Packets.build(Packets.tcp(REMOTE, 41101, NODE, NP_CLUSTER, TCP_ACK));
        assertOut(ack, ack);
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isZero();
        assertThat(dp.conntrack().snapshot()).isEmpty();
    }

    static Packets.Spec to(Packets.Spec p, String daddr, int dport) {
        Packets.Spec e = p.copy();
        e.daddr = daddr;
        e.dport = dport;
        return e;
    }

    static Packets.Spec from(Packets.Spec p, String saddr, int sport) {
        Packets.Spec e = p.copy();
        e.saddr = saddr;
        e.sport = sport;
        return e;
    }

    /** The destination address of an IPv4 frame. */
    static String dst(byte[] frame) {
        return (frame[30] & 0xff) + "." + (frame[31] & 0xff) + "." + (frame[32] & 0xff) + "." + (frame[33] & 0xff);
    }

    @Test
    void sessionAffinityKeepsAClientsNewFlowsOnOneBackendAsAtTc() {
        byte[] first = xdp.testRun(Packets.build(Packets.tcp(REMOTE, 43000, EXT_STICKY, 80, TCP_SYN)), 1).packet();
        String backend = dst(first);
        assertThat(backend).isIn(B1, "10.2.0.8", "10.2.0.9");
        for (int port = 43001; port < 43020; port++) {
            assertThat(dst(xdp.testRun(Packets.build(Packets.tcp(REMOTE, port, EXT_STICKY, 80, TCP_SYN)), 1).packet()))
                    .as("new flow from port %d", port).isEqualTo(backend);
        }
        assertThat(dp.metrics().get(Reason.NAT_AFFINITY)).isEqualTo(19);
        // from_host reads the same dp_affinity4 entry
        assertThat(dst(dp.program(Datapath.FROM_HOST).testRun(Packets.build(Packets.tcp(REMOTE, 43100, EXT_STICKY, 80, TCP_SYN)), 1)
                .packet())).isEqualTo(backend);
        java.util.Set<String> spread = new java.util.HashSet<>();
        for (int c = 1; c < 60; c++) {
            spread.add(dst(xdp.testRun(Packets.build(Packets.tcp("198.51.100." + (100 + c), 43000, EXT_STICKY, 80, TCP_SYN)), 1)
                    .packet()));
        }
        assertThat(spread).as("other clients spread over every backend").containsExactlyInAnyOrder(B1, "10.2.0.8", "10.2.0.9");
    }

    @Test
    void udpWithAndWithoutChecksum() {
        for (boolean zero : new boolean[] {false, true}) {
            Packets.Spec q = Packets.udp(REMOTE, zero ? 33001 : 33000, EXT, 53, "query!".getBytes());
            q.udpZeroCsum = zero;
            Packets.Spec exp = q.copy();
            exp.daddr = B1;
            exp.dport = 5353;
            assertOut(Packets.build(q), Packets.build(exp));
        }
    }

    @Test
    void casesLeftToTcPassUntouched() {
        List<byte[]> untouched = new java.util.ArrayList<>();
        untouched.add(Packets.build(Packets.tcp(REMOTE, 40000, CLUSTER_IP, 80, TCP_SYN))); // ClusterIP: not from outside
        untouched.add(Packets.build(Packets.tcp(REMOTE, 40000, EXT_EMPTY, 80, TCP_SYN))); // reject is TC's
        untouched.add(Packets.build(Packets.tcp(REMOTE, 40000, "192.0.2.99", 80, TCP_SYN))); // no service
        Packets.Spec frag = Packets.udp(REMOTE, 33000, EXT, 53, new byte[16]);
        frag.fragOff = 0x2000;
        untouched.add(Packets.build(frag)); // fragments are tracked at TC
        byte[] options = Packets.build(Packets.tcp(REMOTE, 40000, EXT, 80, TCP_SYN));
        options[14] = 0x46; // IHL 6: options are TC's
        untouched.add(options);
        byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        untouched.add(arp);
        untouched.add(Arrays.copyOf(Packets.build(Packets.tcp(REMOTE, 40000, EXT, 80, TCP_SYN)), 14 + 20 + 8)); // truncated TCP
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 100; i++) {
            byte[] junk = new byte[15 + rnd.nextInt(80)];
            rnd.nextBytes(junk);
            junk[12] = 0x08;
            junk[13] = 0x00;
            TestRun.Result r = xdp.testRun(junk, 1);
            assertThat(r.verdict()).isEqualTo(XDP_PASS);
        }
        for (byte[] p : untouched) {
            assertOut(p, p);
        }
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isZero();
    }
}
