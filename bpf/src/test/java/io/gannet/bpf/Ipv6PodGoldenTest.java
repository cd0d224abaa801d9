package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.EndpointValue6;
import io.gannet.bpf.maps.Reason;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pod programs' IPv6 source check (lib/endpoint.h) and conntrack of untranslated IPv6 flows
 * (lib/track6.h) by golden packets through BPF_PROG_TEST_RUN. A test run's skb has ifindex 1
 * (the namespace's loopback), so the pod's dp_endpoints6 entry sits under key 1.
 */
class Ipv6PodGoldenTest extends DatapathPerTest {
    static final int EP = 1;
    static final String POD = "fd00:10:244:1::5";
    static final String OTHER_POD = "fd00:10:244:1::6";
    static final String REMOTE = "fd00:10:244:2::7";
    static final String VIP = "fd00:96::a";

    private void podHas(String ipv6) {
        Ipv6 a = Ipv6.parse(ipv6);
        dp.endpoints6().put(EP, new EndpointValue6(a.hi(), a.lo()));
    }

    private int from(Packets.Spec s) {
        return run(Datapath.FROM_POD, s).verdict();
    }

    private static CtKey6 key(String saddr, int sport, String daddr, int dport, int proto, int dir) {
        Ipv6 s = Ipv6.parse(saddr);
        Ipv6 d = Ipv6.parse(daddr);
        return new CtKey6(s.hi(), s.lo(), d.hi(), d.lo(), sport, dport, proto, dir);
    }

    /** An ICMPv6 message of {@code type} (code, checksum, 4 reserved bytes, a target address). */
    private static Packets.Spec icmp6(String saddr, String daddr, int type) {
        byte[] m = new byte[24];
        m[0] = (byte) type;
        return Packets.raw(saddr, daddr, 58, m);
    }

    @Test
    void aPodSendsIpv6OnlyFromItsOwnAddressAndSpoofedPacketsAreDroppedAndCounted() {
        podHas(POD);
        assertThat(from(Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN))).as("its own source").isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.metrics().get(Reason.DROP_SPOOFED)).isZero();

        assertThat(from(Packets.tcp(OTHER_POD, 40000, REMOTE, 80, TCP_SYN))).as("another pod's address").isEqualTo(TC_ACT_SHOT);
        assertThat(from(Packets.udp(REMOTE, 53, POD, 40000, new byte[4]))).as("a remote address (UDP)").isEqualTo(TC_ACT_SHOT);
        assertThat(from(icmp6(OTHER_POD, REMOTE, 128))).as("an echo request from another address").isEqualTo(TC_ACT_SHOT);
        assertThat(from(Packets.tcp("fe80::5", 40000, REMOTE, 80, TCP_SYN))).as("TCP from a link-local address").isEqualTo(TC_ACT_SHOT);
        assertThat(from(icmp6("fe80::5", "fe80::1", 128))).as("link-local echo is not neighbour discovery").isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_SPOOFED)).isEqualTo(5);
        assertThat(dp.conntrack6().snapshot().keySet()).as("a dropped packet leaves no conntrack entry")
                .containsExactly(key(POD, 40000, REMOTE, 80, 6, CtKey.PLAIN));
    }

    @Test
    void linkLocalNeighbourDiscoveryRouterSolicitationAndListenerReportsPass() {
        podHas(POD);
        assertThat(from(icmp6("fe80::5", "ff02::1:ff00:1", 135))).as("neighbour solicitation").isEqualTo(TC_ACT_UNSPEC);
        assertThat(from(icmp6("::", "ff02::1:ff00:5", 135))).as("duplicate address detection from ::").isEqualTo(TC_ACT_UNSPEC);
        assertThat(from(icmp6("fe80::5", "fe80::1", 136))).as("neighbour advertisement").isEqualTo(TC_ACT_UNSPEC);
        assertThat(from(icmp6("fe80::5", "ff02::2", 133))).as("router solicitation").isEqualTo(TC_ACT_UNSPEC);
        assertThat(from(icmp6(POD, "fe80::1", 135))).as("neighbour solicitation from its own address").isEqualTo(TC_ACT_UNSPEC);
        // RFC 3810 5.2: an MLDv2 report behind a hop-by-hop header with the router alert option
        byte[] mld = ByteBuffer.allocate(8 + 8).put((byte) 58).put((byte) 0).put(new byte[] {5, 2, 0, 0, 1, 0})
                .put((byte) 143).put(new byte[7]).array();
        assertThat(from(Packets.raw("fe80::5", "ff02::16", 0, mld))).as("MLDv2 report").isEqualTo(TC_ACT_UNSPEC);
        assertThat(from(icmp6("fe80::5", "ff02::1", 134))).as("a pod sends no router advertisement").isEqualTo(TC_ACT_SHOT);
        assertThat(from(icmp6(OTHER_POD, "ff02::1:ff00:1", 135))).as("neighbour solicitation from another pod's address")
                .isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_SPOOFED)).isEqualTo(2);
    }

    @Test
    void aPodWithoutAnIpv6AddressSendsNeighbourDiscoveryOnlyAndAPodAttachedBeforeTheCheckIsNotChecked() {
        assertThat(from(Packets.tcp(OTHER_POD, 40000, REMOTE, 80, TCP_SYN))).as("no dp_endpoints6 entry: not checked")
                .isEqualTo(TC_ACT_UNSPEC);
        dp.endpoints6().put(EP, EndpointValue6.NONE);
        assertThat(from(Packets.tcp(OTHER_POD, 40000, REMOTE, 80, TCP_SYN))).isEqualTo(TC_ACT_SHOT);
        assertThat(from(Packets.tcp("::", 40000, REMOTE, 80, TCP_SYN))).as("the zero entry is no address").isEqualTo(TC_ACT_SHOT);
        assertThat(from(icmp6("fe80::5", "ff02::1:ff00:1", 135))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.metrics().get(Reason.DROP_SPOOFED)).isEqualTo(2);
    }

    @Test
    void anUntranslatedTcpFlowFromAPodIsTrackedAndItsRepliesFindTheEntry() {
        podHas(POD);
        assertThat(from(Packets.tcp(POD, 40000, REMOTE, 80, TCP_SYN))).isEqualTo(TC_ACT_UNSPEC);
        CtKey6 k = key(POD, 40000, REMOTE, 80, 6, CtKey.PLAIN);
        Map<CtKey6, CtEntry> ct = dp.conntrack6().snapshot();
        assertThat(ct.keySet()).containsExactly(k);
        CtEntry e = ct.get(k);
        assertThat(e.flags()).as("from_pod let it out").isEqualTo(CtEntry.F_EGRESS_OK);
        assertThat(e.seen()).isEqualTo(CtEntry.SEEN_SYN);
        assertThat(e.expires() - e.created()).as("TCP SYN timeout").isEqualTo(60);
        assertThat(dp.conntrack().snapshot()).as("nothing in dp_ct4").isEmpty();

        // the answer (on to_pod) finds the pod's entry by the reversed tuple: no entry of its own,
        // and its ACK makes the flow established
        Packets.Spec answer = Packets.tcp(REMOTE, 80, POD, 40000, TCP_SYN | TCP_ACK);
        assertThat(run(Datapath.TO_POD, answer).verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(run(Datapath.TO_POD, Packets.tcp(REMOTE, 80, POD, 40000, TCP_ACK)).verdict()).isEqualTo(TC_ACT_UNSPEC);
        ct = dp.conntrack6().snapshot();
        assertThat(ct.keySet()).containsExactly(k);
        assertThat(ct.get(k).seen()).isEqualTo(CtEntry.SEEN_SYN | CtEntry.SEEN_ACK);
        assertThat(ct.get(k).expires() - ct.get(k).created()).as("TCP established timeout").isGreaterThanOrEqualTo(21600);
        assertThat(from(Packets.tcp(POD, 40000, REMOTE, 80, TCP_ACK))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.conntrack6().snapshot()).hasSize(1);
        assertThat(dp.metrics().get(Reason.CT_NEW_PLAIN)).isEqualTo(1);
    }

    @Test
    void aFlowIntoAPodIsTrackedOnToPodAndAUdpFlowGetsUdpsLifetime() {
        podHas(POD);
        assertThat(run(Datapath.TO_POD, Packets.udp(REMOTE, 5353, POD, 53, new byte[8])).verdict()).isEqualTo(TC_ACT_UNSPEC);
        CtKey6 k = key(REMOTE, 5353, POD, 53, 17, CtKey.PLAIN);
        CtEntry e = dp.conntrack6().snapshot().get(k);
        assertThat(e).as("keyed by the originator, the remote").isNotNull();
        assertThat(e.flags()).as("to_pod let it in").isEqualTo(CtEntry.F_INGRESS_OK);
        assertThat(e.expires() - e.created()).as("UDP timeout").isEqualTo(60);
        // the pod's answer finds it reversed
        assertThat(from(Packets.udp(POD, 53, REMOTE, 5353, new byte[8]))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.conntrack6().snapshot().keySet()).containsExactly(k);
        assertThat(dp.metrics().get(Reason.CT_NEW_PLAIN)).isEqualTo(1);
    }

    @Test
    void aFlowBetweenTwoLocalPodsCarriesBothMarksInOneEntry() {
        assertThat(from(Packets.tcp(POD, 40000, OTHER_POD, 80, TCP_SYN))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(run(Datapath.TO_POD, Packets.tcp(POD, 40000, OTHER_POD, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_UNSPEC);
        Map<CtKey6, CtEntry> ct = dp.conntrack6().snapshot();
        assertThat(ct.keySet()).containsExactly(key(POD, 40000, OTHER_POD, 80, 6, CtKey.PLAIN));
        assertThat(ct.values().iterator().next().flags()).isEqualTo(CtEntry.F_EGRESS_OK | CtEntry.F_INGRESS_OK);
    }

    @Test
    void aTranslatedFlowKeepsItsNatPairAndGetsNoPlainEntry() {
        podHas(POD);
        dp.applyServices(List.of(new ServiceSpec("test/web6", Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(REMOTE, 8080)))));
        var r = run(Datapath.FROM_POD, Packets.tcp(POD, 40000, VIP, 80, TCP_SYN));
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Ipv6GoldenPacketTest.dst6(r.packet())).isEqualTo(REMOTE);
        assertThat(dp.conntrack6().snapshot().keySet()).extracting(CtKey6::dir)
                .containsExactlyInAnyOrder(CtKey.EGRESS, CtKey.REPLY);
        var reply = run(Datapath.TO_POD, Packets.tcp(REMOTE, 8080, POD, 40000, TCP_SYN | TCP_ACK));
        assertThat(reply.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(dp.conntrack6().snapshot()).as("the reply was reverse-NATed, not tracked as a flow of its own").hasSize(2);
        assertThat(dp.metrics().get(Reason.CT_NEW_PLAIN)).isZero();
    }

    /**
     * An IPv6-only pod: its dp_endpoints entry has address 0 (the IPv4 check reads the skb's
     * ingress ifindex, 0 in a test run, so the entry sits under key 0 here). It sends no IPv4,
     * not even from 0.0.0.0, while its IPv6 is checked, translated and tracked as any pod's.
     */
    @Test
    void anIpv6OnlyPodSendsNoIpv4AtAllAndItsIpv6IsCheckedTranslatedAndTracked() {
        dp.endpoints().put(0, new io.gannet.bpf.maps.EndpointValue(0, 0));
        podHas(POD);
        assertThat(from(Packets.udp("0.0.0.0", 68, "255.255.255.255", 67, new byte[8]))).as("IPv4 from 0.0.0.0")
                .isEqualTo(TC_ACT_SHOT);
        assertThat(from(Packets.tcp("10.244.1.5", 40000, "10.244.2.7", 80, TCP_SYN))).as("IPv4 from any address")
                .isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_SPOOFED)).isEqualTo(2);
        dp.applyServices(List.of(new ServiceSpec("test/web6", Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(REMOTE, 8080)))));
        var r = run(Datapath.FROM_POD, Packets.tcp(POD, 40000, VIP, 80, TCP_SYN));
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Ipv6GoldenPacketTest.dst6(r.packet())).isEqualTo(REMOTE);
        assertThat(from(Packets.tcp(POD, 40001, REMOTE, 80, TCP_SYN))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.conntrack6().snapshot()).containsKey(key(POD, 40001, REMOTE, 80, 6, CtKey.PLAIN));
        assertThat(from(Packets.tcp(OTHER_POD, 40000, VIP, 80, TCP_SYN))).as("a spoofed IPv6 source").isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_SPOOFED)).isEqualTo(3);
    }
}
