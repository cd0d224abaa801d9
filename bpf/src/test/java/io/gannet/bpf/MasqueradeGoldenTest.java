package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.Reason;
import io.gannet.bpf.nat.Ipv4Prefix;
import io.gannet.bpf.nat.MasqueradeFeature;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets for SNAT masquerade (lib/masq.h) through BPF_PROG_TEST_RUN: to_host
 * masquerades what pods send out of a host device, from_host translates the replies back.
 * A test run's skb has the loopback device (ifindex 1) as its device, so masquerade is
 * turned on for ifindex 1 with node address {@link #NODE}.
 */
class MasqueradeGoldenTest extends DatapathPerTest {
    static final String NODE = "10.9.0.1";
    static final String POD = "10.244.1.5";
    static final String POD2 = "10.244.1.6";
    static final String REMOTE = "203.0.113.10";
    static final Ipv4Prefix POOL = Ipv4Prefix.parse("10.244.0.0/16");
    static final List<Ipv4Prefix> EXCLUDED = List.of(POOL, Ipv4Prefix.parse("10.9.0.0/24"), Ipv4Prefix.parse("192.168.50.0/24"));

    @BeforeEach
    void masqueradeThePool() {
        assertThat(dp.masqueradeFeature().apply(Map.of(1, Ipv4.parse(NODE)), POOL, EXCLUDED)).isTrue();
    }

    private static int sourcePort(TestRun.Result r) {
        return Short.toUnsignedInt(ByteBuffer.wrap(r.packet()).getShort(14 + 20));
    }

    @Test
    void tcpLeavesWithTheNodeAddressKeepingItsPortAndTheReplyGoesBackToThePod() {
        Packets.Spec syn = Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN);
        assertPacket(run(Datapath.TO_HOST, syn), TC_ACT_OK, Packets.build(with(syn, NODE, 40000, REMOTE, 80)));

        Packets.Spec synAck = Packets.tcp(REMOTE, 80, NODE, 40000, TCP_SYN | TCP_ACK);
        assertPacket(run(Datapath.FROM_HOST, synAck), TC_ACT_OK, Packets.build(with(synAck, REMOTE, 80, POD, 40000)));

        Packets.Spec ack = Packets.tcp(POD, 40000, REMOTE, 80, TCP_ACK);
        assertPacket(run(Datapath.TO_HOST, ack), TC_ACT_OK, Packets.build(with(ack, NODE, 40000, REMOTE, 80)));

        Map<Reason, Long> m = dp.metrics();
        assertThat(m.get(Reason.NAT_MASQ)).as("one new flow").isEqualTo(1);
        assertThat(m.get(Reason.NAT_MASQ_REPLY)).isEqualTo(1);
        assertThat(dp.masqueradeFeature().retries()[0]).as("its own port was free").isEqualTo(1);
        List<MasqueradeFeature.Translation> t = dp.masqueradeFeature().translations();
        assertThat(t).hasSize(1);
        assertThat(t.get(0).toString()).isEqualTo("TCP 10.244.1.5:40000 -> 10.9.0.1:40000 -> 203.0.113.10:80");
        assertThat(t.get(0).portKept()).isTrue();
        assertThat(t.get(0).expiresInSeconds()).as("established: conntrack's lifetime").isGreaterThan(3600);
    }

    @Test
    void udpAndIcmpEchoAreMasqueradedAndTranslatedBack() {
        Packets.Spec dns = Packets.udp(POD, 53001, REMOTE, 53, new byte[] {9, 9, 9});
        assertPacket(run(Datapath.TO_HOST, dns), TC_ACT_OK, Packets.build(with(dns, NODE, 53001, REMOTE, 53)));
        Packets.Spec answer = Packets.udp(REMOTE, 53, NODE, 53001, new byte[] {7, 7});
        assertPacket(run(Datapath.FROM_HOST, answer), TC_ACT_OK, Packets.build(with(answer, REMOTE, 53, POD, 53001)));

        // ICMP echo: the identifier plays the port (kept when free); the checksum follows it
        Packets.Spec ping = Packets.icmpEcho(POD, REMOTE, 8, 0x0777);
        Packets.Spec pingOut = ping.copy();
        pingOut.saddr = NODE;
        assertPacket(run(Datapath.TO_HOST, ping), TC_ACT_OK, Packets.build(pingOut));
        Packets.Spec pong = Packets.icmpEcho(REMOTE, NODE, 0, 0x0777);
        Packets.Spec pongIn = pong.copy();
        pongIn.daddr = POD;
        assertPacket(run(Datapath.FROM_HOST, pong), TC_ACT_OK, Packets.build(pongIn));

        // a second pod pinging with the same identifier gets another one; its reply finds it
        Packets.Spec ping2 = Packets.icmpEcho(POD2, REMOTE, 8, 0x0777);
        TestRun.Result out2 = run(Datapath.TO_HOST, ping2);
        int id2 = Short.toUnsignedInt(ByteBuffer.wrap(out2.packet()).getShort(14 + 20 + 4)); // the echo identifier
        assertThat(id2).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
        Packets.Spec ping2Out = ping2.copy();
        ping2Out.saddr = NODE;
        ping2Out.icmpId = id2;
        assertPacket(out2, TC_ACT_OK, Packets.build(ping2Out));
        Packets.Spec pong2 = Packets.icmpEcho(REMOTE, NODE, 0, id2);
        Packets.Spec pong2In = pong2.copy();
        pong2In.daddr = POD2;
        pong2In.icmpId = 0x0777;
        assertPacket(run(Datapath.FROM_HOST, pong2), TC_ACT_OK, Packets.build(pong2In));

        assertThat(dp.metrics().get(Reason.NAT_MASQ)).isEqualTo(3);
        assertThat(dp.metrics().get(Reason.NAT_MASQ_REPLY)).isEqualTo(3);
        assertThat(dp.masqueradeFeature().translations()).extracting(MasqueradeFeature.Translation::protocol)
                .containsExactlyInAnyOrder("UDP", "ICMP", "ICMP");
    }

    @Test
    void aTakenPortMakesTheFlowPickARandomOneAndItsRepliesFindIt() {
        Packets.Spec a = Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN);
        assertPacket(run(Datapath.TO_HOST, a), TC_ACT_OK, Packets.build(with(a, NODE, 40000, REMOTE, 80)));
        // another pod, same source port, same remote: node:40000 is taken for that remote
        Packets.Spec b = Packets.tcp(POD2, 40000, REMOTE, 80, TCP_SYN);
        TestRun.Result out = run(Datapath.TO_HOST, b);
        int port = sourcePort(out);
        assertThat(port).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
        assertPacket(out, TC_ACT_OK, Packets.build(with(b, NODE, port, REMOTE, 80)));

        Packets.Spec toA = Packets.tcp(REMOTE, 80, NODE, 40000, TCP_SYN | TCP_ACK);
        assertPacket(run(Datapath.FROM_HOST, toA), TC_ACT_OK, Packets.build(with(toA, REMOTE, 80, POD, 40000)));
        Packets.Spec toB = Packets.tcp(REMOTE, 80, NODE, port, TCP_SYN | TCP_ACK);
        assertPacket(run(Datapath.FROM_HOST, toB), TC_ACT_OK, Packets.build(with(toB, REMOTE, 80, POD2, 40000)));

        // the same source port towards another remote port is free again: kept
        Packets.Spec c = Packets.tcp(POD2, 40000, REMOTE, 443, TCP_SYN);
        assertPacket(run(Datapath.TO_HOST, c), TC_ACT_OK, Packets.build(with(c, NODE, 40000, REMOTE, 443)));

        long[] tries = dp.masqueradeFeature().retries();
        assertThat(tries[0]).as("ports kept").isEqualTo(2);
        assertThat(tries[1] + tries[2]).as("one random try (a second at most: the range is almost empty)").isEqualTo(1);
    }

    @Test
    void anIcmpErrorAboutAMasqueradedFlowReachesThePod() {
        // the pod's flow leaves as the node with a random port (its own port taken towards that remote)
        run(Datapath.TO_HOST, Packets.tcp(POD2, 40000, REMOTE, 80, TCP_SYN));
        Packets.Spec syn = Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN);
        TestRun.Result out = run(Datapath.TO_HOST, syn);
        assertThat(sourcePort(out)).isBetween(MasqueradeFeature.PORT_MIN, MasqueradeFeature.PORT_MAX);
        // RFC 1191 fragmentation needed from a router on the way, quoting the packet as it left
        String router = "198.51.100.1";
        byte[] in = IcmpErrorTest.icmpError(router, NODE, 3, 4, 1400, IcmpErrorTest.quote(out.packet()));
        byte[] expected = IcmpErrorTest.icmpError(router, POD, 3, 4, 1400, IcmpErrorTest.quote(Packets.build(syn)));
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(expected));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(1);
        // an error about a flow no one masqueraded is left alone
        byte[] other = IcmpErrorTest.icmpError(router, NODE, 3, 4, 1400,
                IcmpErrorTest.quote(Packets.build(Packets.tcp(NODE, 45000, REMOTE, 80, TCP_SYN))));
        assertThat(run(Datapath.FROM_HOST, other).verdict()).isEqualTo(TC_ACT_UNSPEC);
    }

    /** Before: an error quoting an echo request was left alone (only TCP/UDP quotes were followed), so ping never heard of it. */
    @Test
    void anIcmpErrorQuotingAMasqueradedEchoRequestReachesThePingingPod() {
        // the pod's identifier is taken by another pod's ping: it leaves with a random one
        run(Datapath.TO_HOST, Packets.icmpEcho(POD2, REMOTE, 8, 0x0333));
        Packets.Spec ping = Packets.icmpEcho(POD, REMOTE, 8, 0x0333);
        TestRun.Result out = run(Datapath.TO_HOST, ping);
        int id = Short.toUnsignedInt(ByteBuffer.wrap(out.packet()).getShort(14 + 20 + 4));
        assertThat(id).isNotEqualTo(0x0333);
        // a router's host unreachable to the node, quoting the request as it left (node, random identifier)
        String router = "198.51.100.1";
        byte[] in = IcmpErrorTest.icmpError(router, NODE, 3, 1, 0, IcmpErrorTest.quote(out.packet()));
        byte[] asPinged = IcmpErrorTest.quote(Packets.build(ping));
        // the quoted echo checksum stays as it was on the wire (receivers do not check it)
        System.arraycopy(IcmpErrorTest.quote(out.packet()), 20 + 2, asPinged, 20 + 2, 2);
        byte[] expected = IcmpErrorTest.icmpError(router, POD, 3, 1, 0, asPinged);
        TestRun.Result r = run(Datapath.FROM_HOST, in);
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(expected));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(1);
        // an echo reply quoted (no one's request) is left alone
        byte[] other = IcmpErrorTest.icmpError(router, NODE, 3, 1, 0,
                IcmpErrorTest.quote(Packets.build(Packets.icmpEcho(NODE, REMOTE, 0, id))));
        assertThat(run(Datapath.FROM_HOST, other).verdict()).isEqualTo(TC_ACT_UNSPEC);
    }

    @Test
    void noFreePortDropsTheNewFlowAndCountsIt() {
        long now = dp.options().clock().monotonicSeconds();
        CtEntry live = new CtEntry(0, now + 3600, now, 0, CtEntry.SEEN_ACK, CtEntry.F_SNAT);
        List<Map.Entry<CtKey, CtEntry>> taken = new ArrayList<>();
        int node = Ipv4.parse(NODE);
        int remote = Ipv4.parse(REMOTE);
        for (int port = MasqueradeFeature.PORT_MIN; port <= MasqueradeFeature.PORT_MAX; port++) {
            taken.add(new AbstractMap.SimpleEntry<>(new CtKey(remote, node, 80, port, 6, CtKey.MASQ_IN), live));
        }
        taken.add(new AbstractMap.SimpleEntry<>(new CtKey(remote, node, 80, 40000, 6, CtKey.MASQ_IN), live));
        dp.conntrack().putAll(taken);

        assertThat(run(Datapath.TO_HOST, Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_MASQ_PORTS)).isEqualTo(1);
        assertThat(dp.masqueradeFeature().retries()[7]).as("exhausted after the bounded tries").isEqualTo(1);
        // NodePort SNAT's replies hold ports of the same space: a port one of them holds counts as taken
        assertThat(dp.metrics().get(Reason.NAT_MASQ)).isZero();
    }

    @Test
    void destinationsInsideTheClusterAndOtherSourcesAreLeftAlone() {
        for (String dst : List.of("10.244.2.9", "10.9.0.7", "192.168.50.7")) {
            Packets.Spec p = Packets.tcp(POD, 40000, dst, 80, TCP_SYN);
            assertPacket(run(Datapath.TO_HOST, p), TC_ACT_UNSPEC, Packets.build(p));
        }
        // the node's own traffic
        Packets.Spec host = Packets.tcp(NODE, 40001, REMOTE, 80, TCP_SYN);
        assertPacket(run(Datapath.TO_HOST, host), TC_ACT_UNSPEC, Packets.build(host));
        // the reply of a connection the remote opened to the pod (to_pod tracked it): the pod answers as itself
        long now = dp.options().clock().monotonicSeconds();
        dp.conntrack().put(new CtKey(Ipv4.parse(REMOTE), Ipv4.parse(POD), 50000, 8080, 6, CtKey.PLAIN),
                new CtEntry(0, now + 60, now, 0, CtEntry.SEEN_SYN, CtEntry.F_INGRESS_OK));
        Packets.Spec reply = Packets.tcp(POD, 8080, REMOTE, 50000, TCP_SYN | TCP_ACK);
        assertPacket(run(Datapath.TO_HOST, reply), TC_ACT_UNSPEC, Packets.build(reply));
        // an echo reply of a pod someone pinged
        for (int id : new int[] {5, 0}) {
            Packets.Spec pong = Packets.icmpEcho(POD, REMOTE, 0, id);
            assertPacket(run(Datapath.TO_HOST, pong), TC_ACT_UNSPEC, Packets.build(pong));
        }
        // a packet to the node that no masqueraded flow owns
        Packets.Spec in = Packets.tcp(REMOTE, 80, NODE, 40002, TCP_SYN | TCP_ACK);
        assertPacket(run(Datapath.FROM_HOST, in), TC_ACT_UNSPEC, Packets.build(in));
        assertThat(dp.metrics().get(Reason.NAT_MASQ)).isZero();
        assertThat(dp.masqueradeFeature().translations()).isEmpty();

        // masquerade off: the same pod flow to the outside leaves untouched
        assertThat(dp.masqueradeFeature().apply(Map.of(), POOL, EXCLUDED)).isTrue();
        Packets.Spec out = Packets.tcp(POD, 40003, REMOTE, 80, TCP_SYN);
        assertPacket(run(Datapath.TO_HOST, out), TC_ACT_UNSPEC, Packets.build(out));
        assertThat(dp.masqueradeFeature().devices()).isEmpty();
    }

    @Test
    void expiredTranslationsGoWithConntrackGarbage() {
        Packets.Spec dns = Packets.udp(POD, 53002, REMOTE, 53, new byte[] {1});
        run(Datapath.TO_HOST, dns);
        assertThat(dp.masqueradeFeature().occupancy().snatEntries()).isEqualTo(2);
        // age the flow's two conntrack halves past their expiry, as time passing would
        List<Map.Entry<CtKey, CtEntry>> aged = new ArrayList<>();
        dp.conntrack().forEach((k, e) -> {
            if (k.dir() == CtKey.MASQ_OUT || k.dir() == CtKey.MASQ_IN) {
                aged.add(new AbstractMap.SimpleEntry<>(k, new CtEntry(e.backendId(), 0, 0, e.revNatIndex(), e.seen(), e.flags())));
            }
        });
        assertThat(aged).hasSize(2);
        dp.conntrack().putAll(aged);
        assertThat(dp.masqueradeFeature().translations()).isEmpty();
        assertThat(dp.collectGarbage()).isGreaterThanOrEqualTo(2);
        assertThat(dp.masqueradeFeature().occupancy().snatEntries()).as("the dp_snat4 halves went with them").isZero();
    }
}
