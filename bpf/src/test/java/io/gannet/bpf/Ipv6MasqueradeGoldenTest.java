package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.Reason;
import io.gannet.bpf.nat.Ipv6Prefix;
import io.gannet.bpf.nat.MasqueradeFeature;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets for IPv6 SNAT masquerade (lib/masq6.h) through BPF_PROG_TEST_RUN, the IPv6 twin
 * of {@link MasqueradeGoldenTest}: to_host masquerades what IPv6 pods send out of a host device
 * (TCP, UDP, ICMPv6 echo requests) to the device's node IPv6 address, from_host translates the
 * replies and ICMPv6 errors about those flows back to the pod. A test run's skb has the loopback
 * device (ifindex 1) as its device, so IPv6 masquerade is turned on for ifindex 1 with node
 * address {@link #NODE}. Every TCP/UDP output's checksum is verified over the IPv6 pseudo-header.
 */
class Ipv6MasqueradeGoldenTest extends DatapathPerTest {
    static final String NODE = "fd00:9::1";
    static final String POD = "fd00:10:244:1::5";
    static final String POD2 = "fd00:10:244:1::6";
    static final String REMOTE = "2001:db8:99::10";
    static final Ipv6Prefix POOL = Ipv6Prefix.parse("fd00:10:244::/56");
    static final List<Ipv6Prefix> EXCLUDED = List.of(POOL, Ipv6Prefix.parse("fd00:9::/64"), Ipv6Prefix.parse("2001:db8:50::/48"));

    @BeforeEach
    void masqueradeThePool() {
        assertThat(dp.masqueradeFeature().apply6(Map.of(1, Ipv6.parse(NODE)), POOL, EXCLUDED)).isTrue();
    }

    private static int sourcePort(TestRun.Result r) {
        return Short.toUnsignedInt(ByteBuffer.wrap(r.packet()).getShort(14 + 40));
    }

    /** An ICMPv6 echo request (128) or reply (129) with identifier id and 8 bytes of data, its checksum filled in. */
    static byte[] echo6(String saddr, String daddr, int type, int id) {
        byte[] l4 = ByteBuffer.allocate(16).put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id)
                .putShort((short) 1).putLong(0x0102030405060708L).array();
        return Ipv6GoldenPacketTest.withIcmp6Checksum(Packets.build(Packets.raw(saddr, daddr, 58, l4)));
    }

    private static int echoId(byte[] frame) {
        return Short.toUnsignedInt(ByteBuffer.wrap(frame).getShort(14 + 40 + 4));
    }

    @Test
    void tcpLeavesWithTheNodeAddressKeepingItsPortAndTheReplyGoesBackToThePod() {
        Packets.Spec syn = Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN);
        assertPacket(runChecked(Datapath.TO_HOST, syn), TC_ACT_OK, Packets.build(with(syn, NODE, 40000, REMOTE, 80)));

        Packets.Spec synAck = Packets.tcp(REMOTE, 80, NODE, 40000, TCP_SYN | TCP_ACK);
        assertPacket(runChecked(Datapath.FROM_HOST, synAck), TC_ACT_OK, Packets.build(with(synAck, REMOTE, 80, POD, 40000)));

        Packets.Spec ack = Packets.tcp(POD, 40000, REMOTE, 80, TCP_ACK);
        assertPacket(runChecked(Datapath.TO_HOST, ack), TC_ACT_OK, Packets.build(with(ack, NODE, 40000, REMOTE, 80)));

        Map<Reason, Long> m = dp.metrics();
        assertThat(m.get(Reason.NAT_MASQ)).as("one new flow").isEqualTo(1);
        assertThat(m.get(Reason.NAT_MASQ_REPLY)).isEqualTo(1);
        assertThat(dp.masqueradeFeature().retries()[0]).as("its own port was free").isEqualTo(1);
        List<MasqueradeFeature.Translation> t = dp.masqueradeFeature().translations();
        assertThat(t).hasSize(1);
        assertThat(t.get(0).toString()).isEqualTo("TCP [fd00:10:244:1::5]:40000 -> [fd00:9::1]:40000 -> [2001:db8:99::10]:80");
        assertThat(t.get(0).ipv6()).isTrue();
        assertThat(t.get(0).portKept()).isTrue();
        assertThat(t.get(0).expiresInSeconds()).as("established: conntrack's lifetime").isGreaterThan(3600);
        // the flow is two dp_ct6 halves (MASQ_OUT, MASQ_IN) with two dp_snat6 rewrites; the IPv4 tables are untouched
        assertThat(dp.conntrack6().snapshot().keySet()).extracting(CtKey6::dir).containsExactlyInAnyOrder(CtKey.MASQ_OUT, CtKey.MASQ_IN);
        assertThat(dp.masqueradeFeature().occupancy6().snatEntries()).isEqualTo(2);
        assertThat(dp.masqueradeFeature().occupancy6().flows()).isEqualTo(1);
        assertThat(dp.masqueradeFeature().occupancy().snatEntries()).isZero();
    }

    @Test
    void udpAndIcmpv6EchoAreMasqueradedAndTranslatedBack() {
        Packets.Spec dns = Packets.udp(POD, 53001, REMOTE, 53, new byte[] {9, 9, 9});
        assertPacket(runChecked(Datapath.TO_HOST, dns), TC_ACT_OK, Packets.build(with(dns, NODE, 53001, REMOTE, 53)));
        Packets.Spec answer = Packets.udp(REMOTE, 53, NODE, 53001, new byte[] {7, 7});
        assertPacket(runChecked(Datapath.FROM_HOST, answer), TC_ACT_OK, Packets.build(with(answer, REMOTE, 53, POD, 53001)));

        // ICMPv6 echo: the identifier plays the port (kept when free); the checksum (pseudo-header included) follows
        assertPacket(run(Datapath.TO_HOST, echo6(POD, REMOTE, 128, 0x0777)), TC_ACT_OK, echo6(NODE, REMOTE, 128, 0x0777));
        assertPacket(run(Datapath.FROM_HOST, echo6(REMOTE, NODE, 129, 0x0777)), TC_ACT_OK, echo6(REMOTE, POD, 129, 0x0777));

        // a second pod pinging with the same identifier gets another one; its reply finds it
        TestRun.Result out2 = run(Datapath.TO_HOST, echo6(POD2, REMOTE, 128, 0x0777));
        int id2 = echoId(out2.packet());
        assertThat(id2).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
        assertPacket(out2, TC_ACT_OK, echo6(NODE, REMOTE, 128, id2));
        assertPacket(run(Datapath.FROM_HOST, echo6(REMOTE, NODE, 129, id2)), TC_ACT_OK, echo6(REMOTE, POD2, 129, 0x0777));

        assertThat(dp.metrics().get(Reason.NAT_MASQ)).isEqualTo(3);
        assertThat(dp.metrics().get(Reason.NAT_MASQ_REPLY)).isEqualTo(3);
        List<MasqueradeFeature.Translation> t = dp.masqueradeFeature().translations();
        assertThat(t).extracting(MasqueradeFeature.Translation::protocol).containsExactlyInAnyOrder("UDP", "ICMPv6", "ICMPv6");
        assertThat(t).filteredOn(MasqueradeFeature.Translation::echo).extracting(MasqueradeFeature.Translation::destination)
                .containsOnly(REMOTE);

        // someone pinging the node or a pod from outside, and a pod's echo reply, are left alone
        byte[] ping = echo6(REMOTE, NODE, 128, 0x0999);
        assertPacket(run(Datapath.FROM_HOST, ping), TC_ACT_UNSPEC, ping);
        byte[] pong = echo6(POD, REMOTE, 129, 0x0999);
        assertPacket(run(Datapath.TO_HOST, pong), TC_ACT_UNSPEC, pong);
    }

    @Test
    void aFragmentedUdpDatagramIsMasqueradedFragmentByFragmentAndSoIsItsReply() {
        byte[] payload = new byte[56];
        java.util.Arrays.fill(payload, (byte) 0x5a);
        Packets.Spec q = Packets.udp(POD, 33000, REMOTE, 53, payload);
        byte[][] in = Packets.fragments6(q, 4242, 24);
        byte[][] out = Packets.fragments6(with(q, NODE, 33000, REMOTE, 53), 4242, 24);
        // the first fragment carries the UDP header: its checksum follows the source over the whole datagram
        assertPacket(run(Datapath.TO_HOST, in[0]), TC_ACT_OK, out[0]);
        // the second has no ports: it follows the rewrite its first fragment recorded (dp_frag6)
        assertPacket(run(Datapath.TO_HOST, in[1]), TC_ACT_OK, out[1]);

        Packets.Spec a = Packets.udp(REMOTE, 53, NODE, 33000, payload);
        byte[][] answer = Packets.fragments6(a, 777, 24);
        byte[][] back = Packets.fragments6(with(a, REMOTE, 53, POD, 33000), 777, 24);
        assertPacket(run(Datapath.FROM_HOST, answer[0]), TC_ACT_OK, back[0]);
        assertPacket(run(Datapath.FROM_HOST, answer[1]), TC_ACT_OK, back[1]);
        assertThat(dp.metrics().get(Reason.NAT_FRAGMENT)).isEqualTo(2);
    }

    @Test
    void aTakenPortMakesTheFlowPickARandomOneAndItsRepliesFindIt() {
        Packets.Spec a = Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN);
        assertPacket(runChecked(Datapath.TO_HOST, a), TC_ACT_OK, Packets.build(with(a, NODE, 40000, REMOTE, 80)));
        Packets.Spec b = Packets.tcp(POD2, 40000, REMOTE, 80, TCP_SYN);
        TestRun.Result out = runChecked(Datapath.TO_HOST, b);
        int port = sourcePort(out);
        assertThat(port).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
        assertPacket(out, TC_ACT_OK, Packets.build(with(b, NODE, port, REMOTE, 80)));

        Packets.Spec toA = Packets.tcp(REMOTE, 80, NODE, 40000, TCP_SYN | TCP_ACK);
        assertPacket(runChecked(Datapath.FROM_HOST, toA), TC_ACT_OK, Packets.build(with(toA, REMOTE, 80, POD, 40000)));
        Packets.Spec toB = Packets.tcp(REMOTE, 80, NODE, port, TCP_SYN | TCP_ACK);
        assertPacket(runChecked(Datapath.FROM_HOST, toB), TC_ACT_OK, Packets.build(with(toB, REMOTE, 80, POD2, 40000)));
        long[] tries = dp.masqueradeFeature().retries();
        assertThat(tries[0]).as("port kept").isEqualTo(1);
        assertThat(tries[1] + tries[2]).as("one random try (a second at most)").isEqualTo(1);
    }

    @Test
    void icmpv6ErrorsAboutMasqueradedTcpAndEchoReachThePod() {
        Packets.Spec sent = Packets.tcp(POD, 40000, REMOTE, 80, TCP_ACK);
        sent.payload = "a segment too big for a link on the way".getBytes();
        TestRun.Result out = runChecked(Datapath.TO_HOST, sent);
        assertThat(out.verdict()).isEqualTo(TC_ACT_OK);
        // a router's Packet Too Big (RFC 4443 3.2) to the node, quoting the segment as it left
        String router = "2001:db8:ff::1";
        byte[] in = Ipv6GoldenPacketTest.icmp6Error(router, NODE, 2, 0, 1280, out.packet());
        byte[] asSent = Packets.build(sent);
        // the quoted TCP checksum stays as it was on the wire (receivers do not check it)
        System.arraycopy(out.packet(), 14 + 40 + 16, asSent, 14 + 40 + 16, 2);
        byte[] expected = Ipv6GoldenPacketTest.icmp6Error(router, POD, 2, 0, 1280, asSent);
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(expected));

        // an echo request whose identifier was taken: the error about it goes back with the pod's identifier
        run(Datapath.TO_HOST, echo6(POD2, REMOTE, 128, 0x0555));
        TestRun.Result ping = run(Datapath.TO_HOST, echo6(POD, REMOTE, 128, 0x0555));
        int id = echoId(ping.packet());
        assertThat(id).isNotEqualTo(0x0555);
        byte[] unreachable = Ipv6GoldenPacketTest.icmp6Error(router, NODE, 1, 0, 0, ping.packet());
        byte[] asPinged = echo6(POD, REMOTE, 128, 0x0555);
        System.arraycopy(ping.packet(), 14 + 40 + 2, asPinged, 14 + 40 + 2, 2); // the quoted echo checksum as on the wire
        TestRun.Result e = run(Datapath.FROM_HOST, unreachable);
        assertThat(e.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(e.packet())).isEqualTo(Packets.hex(Ipv6GoldenPacketTest.icmp6Error(router, POD, 1, 0, 0, asPinged)));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(2);

        // an error about a flow no one masqueraded is left alone
        byte[] other = Ipv6GoldenPacketTest.icmp6Error(router, NODE, 2, 0, 1280,
                Packets.build(Packets.tcp(NODE, 45000, REMOTE, 80, TCP_ACK)));
        assertPacket(run(Datapath.FROM_HOST, other), TC_ACT_UNSPEC, other);
    }

    @Test
    void noFreePortDropsTheNewFlowAndCountsIt() {
        long now = dp.options().clock().monotonicSeconds();
        CtEntry live = new CtEntry(0, now + 3600, now, 0, CtEntry.SEEN_ACK, CtEntry.F_SNAT);
        Ipv6 node = Ipv6.parse(NODE);
        Ipv6 remote = Ipv6.parse(REMOTE);
        List<Map.Entry<CtKey6, CtEntry>> taken = new ArrayList<>();
        for (int port = MasqueradeFeature.PORT_MIN; port <= MasqueradeFeature.PORT_MAX; port++) {
            // half of them held by masqueraded flows, half by IPv6 service SNAT's replies: one port space
            int dir = port % 2 == 0 ? CtKey.MASQ_IN : CtKey.REPLY;
            taken.add(new AbstractMap.SimpleEntry<>(new CtKey6(remote.hi(), remote.lo(), node.hi(), node.lo(), 80, port, 6, dir), live));
        }
        taken.add(new AbstractMap.SimpleEntry<>(new CtKey6(remote.hi(), remote.lo(), node.hi(), node.lo(), 80, 40000, 6, CtKey.MASQ_IN),
                live));
        dp.conntrack6().putAll(taken);

        assertThat(runChecked(Datapath.TO_HOST, Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_MASQ_PORTS)).isEqualTo(1);
        assertThat(dp.masqueradeFeature().retries()[7]).as("exhausted after the bounded tries").isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_MASQ)).isZero();
    }

    @Test
    void destinationsInsideTheClusterAndOtherSourcesAreLeftAlone() {
        for (String dst : List.of("fd00:10:244:2::9", "fd00:9::7", "2001:db8:50::7")) {
            Packets.Spec p = Packets.tcp(POD, 40000, dst, 80, TCP_SYN);
            assertPacket(runChecked(Datapath.TO_HOST, p), TC_ACT_UNSPEC, Packets.build(p));
        }
        Packets.Spec host = Packets.tcp(NODE, 40001, REMOTE, 80, TCP_SYN);
        assertPacket(runChecked(Datapath.TO_HOST, host), TC_ACT_UNSPEC, Packets.build(host));
        // the reply of a connection the remote opened to the pod (to_pod tracked it): the pod answers as itself
        long now = dp.options().clock().monotonicSeconds();
        Ipv6 remote = Ipv6.parse(REMOTE);
        Ipv6 pod = Ipv6.parse(POD);
        dp.conntrack6().put(new CtKey6(remote.hi(), remote.lo(), pod.hi(), pod.lo(), 50000, 8080, 6, CtKey.PLAIN),
                new CtEntry(0, now + 60, now, 0, CtEntry.SEEN_SYN, CtEntry.F_INGRESS_OK));
        Packets.Spec reply = Packets.tcp(POD, 8080, REMOTE, 50000, TCP_SYN | TCP_ACK);
        assertPacket(runChecked(Datapath.TO_HOST, reply), TC_ACT_UNSPEC, Packets.build(reply));
        Packets.Spec in = Packets.tcp(REMOTE, 80, NODE, 40002, TCP_SYN | TCP_ACK);
        assertPacket(runChecked(Datapath.FROM_HOST, in), TC_ACT_UNSPEC, Packets.build(in));
        assertThat(dp.metrics().get(Reason.NAT_MASQ)).isZero();
        assertThat(dp.masqueradeFeature().translations()).isEmpty();
        // while a pod flow to the outside by the same device is masqueraded
        Packets.Spec outside = Packets.tcp(POD, 40004, REMOTE, 80, TCP_SYN);
        assertPacket(runChecked(Datapath.TO_HOST, outside), TC_ACT_OK, Packets.build(with(outside, NODE, 40004, REMOTE, 80)));

        // IPv6 masquerade off: the same pod flow leaves untouched
        assertThat(dp.masqueradeFeature().apply6(Map.of(), POOL, EXCLUDED)).isTrue();
        Packets.Spec out = Packets.tcp(POD, 40003, REMOTE, 80, TCP_SYN);
        assertPacket(runChecked(Datapath.TO_HOST, out), TC_ACT_UNSPEC, Packets.build(out));
        assertThat(dp.masqueradeFeature().devices6()).isEmpty();
    }

    @Test
    void expiredTranslationsGoWithConntrackGarbage() {
        runChecked(Datapath.TO_HOST, Packets.udp(POD, 53002, REMOTE, 53, new byte[] {1}));
        assertThat(dp.masqueradeFeature().occupancy6().snatEntries()).isEqualTo(2);
        List<Map.Entry<CtKey6, CtEntry>> aged = new ArrayList<>();
        dp.conntrack6().forEach((k, e) -> {
            if (k.dir() == CtKey.MASQ_OUT || k.dir() == CtKey.MASQ_IN) {
                aged.add(new AbstractMap.SimpleEntry<>(k, new CtEntry(e.backendId(), 0, 0, e.revNatIndex(), e.seen(), e.flags())));
            }
        });
        assertThat(aged).hasSize(2);
        dp.conntrack6().putAll(aged);
        assertThat(dp.masqueradeFeature().translations()).isEmpty();
        assertThat(dp.collectGarbage()).isGreaterThanOrEqualTo(2);
        assertThat(dp.masqueradeFeature().occupancy6().snatEntries()).as("the dp_snat6 halves went with them").isZero();
    }
}
