package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two conntrack halves of a NATed flow keep each other alive: an evicted half (LRU under
 * a full table) is re-created by the next packet of the other direction, so a flow is never
 * left translated one way and not the other. Golden packets through BPF_PROG_TEST_RUN; also
 * the host egress program (to_host) and the TC_ACT_UNSPEC verdict for packets not Gannet's.
 */
class ConntrackPairTest extends DatapathPerTest {
    static final String CLIENT = "10.1.0.5";
    static final String VIP = "10.96.0.10";
    static final String[] BACKENDS = {"10.2.0.7", "10.2.0.8", "10.2.0.9"};
    static final int CT_MAX = 262144; // DP_CT_MAX in lib/maps.h

    @BeforeEach
    void webOfThreeBackends() {
        List<Backend> bs = new ArrayList<>();
        for (String b : BACKENDS) {
            bs.add(Backend.of(b, 8080));
        }
        dp.applyServices(List.of(new ServiceSpec("test/web", io.gannet.bpf.lb.Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, bs)));
    }

    /** Sends the client's segment; returns the backend it was sent to. */
    String clientSends(int port, int flags) {
        TestRun.Result r = run(Datapath.FROM_POD, Packets.tcp(CLIENT, port, VIP, 80, flags));
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        return Ipv4.format(ByteBuffer.wrap(r.packet()).getInt(30));
    }

    /** The backend's reply through {@code program}: must come out from the VIP. */
    void backendReplies(String program, String backend, int port) {
        Packets.Spec reply = Packets.tcp(backend, 8080, CLIENT, port, TCP_ACK);
        Packets.Spec exp = reply.copy();
        exp.saddr = VIP;
        exp.sport = 80;
        TestRun.Result r = run(program, reply);
        assertThat(r.verdict()).isEqualTo(TC_ACT_OK);
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(Packets.build(exp)));
    }

    static CtKey egressKey(int port) {
        return new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(VIP), port, 80, 6, CtKey.EGRESS);
    }

    static CtKey replyKey(String backend, int port) {
        return new CtKey(Ipv4.parse(backend), Ipv4.parse(CLIENT), 8080, port, 6, CtKey.REPLY);
    }

    @Test
    void anEvictedClientHalfIsRebuiltByTheReply() {
        String be = clientSends(40000, TCP_SYN);
        assertThat(dp.conntrack().delete(egressKey(40000))).isTrue();
        backendReplies(Datapath.FROM_POD, be, 40000);
        assertThat(dp.conntrack().get(egressKey(40000))).as("client half rebuilt").isNotNull();
        for (int i = 0; i < 20; i++) {
            assertThat(clientSends(40000, TCP_ACK)).as("the flow stays on its backend").isEqualTo(be);
        }
    }

    @Test
    void anEvictedReplyHalfIsRebuiltByTheClient() {
        String be = clientSends(40001, TCP_SYN);
        assertThat(dp.conntrack().delete(replyKey(be, 40001))).isTrue();
        assertThat(clientSends(40001, TCP_ACK)).isEqualTo(be);
        assertThat(dp.conntrack().get(replyKey(be, 40001))).as("reply half rebuilt").isNotNull();
        backendReplies(Datapath.TO_POD, be, 40001);
    }

    @Test
    void aFullTableNeverLeavesHalfAFlow() {
        int flows = 200;
        String[] backendOf = new String[flows];
        for (int i = 0; i < flows; i++) {
            backendOf[i] = clientSends(30000 + i, TCP_SYN);
        }
        // Fill the table with other flows' entries: the LRU evicts some of ours, one half or both.
        List<Map.Entry<CtKey, CtEntry>> junk = new ArrayList<>();
        long now = dp.options().clock().monotonicSeconds();
        for (int i = 0; i < CT_MAX; i++) {
            junk.add(Map.entry(new CtKey(0x0b000000 | i, Ipv4.parse("10.96.9.9"), 1000 + (i & 0x7fff), 80, 6, CtKey.EGRESS),
                    new CtEntry(1, now + 3600, now, 1, CtEntry.SEEN_ACK)));
            if (junk.size() == 8192) {
                dp.conntrack().putAll(junk);
                junk.clear();
            }
        }
        int halves = 0;
        for (int i = 0; i < flows; i++) {
            boolean e = dp.conntrack().get(egressKey(30000 + i)) != null;
            boolean r = dp.conntrack().get(replyKey(backendOf[i], 30000 + i)) != null;
            halves += e != r ? 1 : 0;
        }
        // Whatever the eviction left, one packet of the flow restores a consistent pair.
        for (int i = 0; i < flows; i++) {
            int port = 30000 + i;
            boolean hadEgress = dp.conntrack().get(egressKey(port)) != null;
            String be = clientSends(port, TCP_ACK);
            if (hadEgress) {
                assertThat(be).as("a surviving client half keeps its backend").isEqualTo(backendOf[i]);
            }
            CtEntry e = dp.conntrack().get(egressKey(port));
            CtEntry r = dp.conntrack().get(replyKey(be, port));
            assertThat(e).as("client half of flow " + port).isNotNull();
            assertThat(r).as("reply half of flow " + port).isNotNull();
            assertThat(r.backendId()).isEqualTo(e.backendId());
            assertThat(r.revNatIndex()).isEqualTo(e.revNatIndex());
        }
        System.out.printf("full table: %d of %d flows had lost exactly one half before their next packet%n", halves, flows);
    }

    @Test
    void untranslatedFlowsAreTrackedToo() {
        // pod -> pod (no service): one entry in the originator's direction, seen by both directions
        byte[] syn = Packets.build(Packets.tcp(CLIENT, 45000, "10.2.0.50", 443, TCP_SYN));
        TestRun.Result r = run(Datapath.FROM_POD, syn);
        assertThat(r.verdict()).as("still not Gannet's to decide").isEqualTo(TC_ACT_UNSPEC);
        assertThat(r.packet()).isEqualTo(syn);
        CtKey k = new CtKey(Ipv4.parse(CLIENT), Ipv4.parse("10.2.0.50"), 45000, 443, 6, CtKey.PLAIN);
        CtEntry e = dp.conntrack().get(k);
        assertThat(e).isNotNull();
        assertThat(e.seen()).isEqualTo(CtEntry.SEEN_SYN);
        assertThat(e.backendId()).isZero();
        // the reply, leaving the other pod (from_pod) and entering this one (to_pod)
        byte[] synAck = Packets.build(Packets.tcp("10.2.0.50", 443, CLIENT, 45000, TCP_SYN | TCP_ACK));
        assertThat(run(Datapath.FROM_POD, synAck).verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(run(Datapath.TO_POD, synAck).verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(dp.conntrack().get(new CtKey(Ipv4.parse("10.2.0.50"), Ipv4.parse(CLIENT), 443, 45000, 6, CtKey.PLAIN)))
                .as("no second entry for the reply direction").isNull();
        run(Datapath.FROM_POD, Packets.tcp(CLIENT, 45000, "10.2.0.50", 443, TCP_ACK));
        assertThat(dp.conntrack().get(k).seen()).as("handshake went on").isEqualTo(CtEntry.SEEN_SYN | CtEntry.SEEN_ACK);
        assertThat(dp.metrics().get(io.gannet.bpf.maps.Reason.CT_NEW_PLAIN)).isEqualTo(1);
        // a translated flow gets NAT pairs, not a plain entry
        String be = clientSends(45001, TCP_SYN);
        assertThat(dp.conntrack().get(new CtKey(Ipv4.parse(CLIENT), Ipv4.parse(VIP), 45001, 80, 6, CtKey.PLAIN))).isNull();
        assertThat(dp.conntrack().get(replyKey(be, 45001))).isNotNull();
    }

    @Test
    void hostEgressReverseNatsRepliesOfHostBackends() {
        String be = clientSends(40002, TCP_SYN);
        backendReplies(Datapath.TO_HOST, be, 40002);
        byte[] other = Packets.build(Packets.tcp("10.9.9.9", 22, CLIENT, 40002, TCP_ACK));
        TestRun.Result r = run(Datapath.TO_HOST, other);
        assertThat(r.verdict()).as("not Gannet's: left to the next filter").isEqualTo(TC_ACT_UNSPEC);
        assertThat(r.packet()).isEqualTo(other);
    }
}
