package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv6;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtEntry;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.DropEvent6;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.IpcacheKey6;
import io.gannet.bpf.maps.Reason;
import io.gannet.bpf.policy.IngressEntry;
import io.gannet.bpf.policy.PolicyFeature;
import io.gannet.bpf.policy.PolicyReason;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets through the IPv6 policy stages (lib/policy.h: to_pod ingress, from_pod egress)
 * by BPF_PROG_TEST_RUN: the verdict, a passed packet untouched, the counters, the IPv6 drop events
 * (dp_drop_events6) and the conntrack entries it leaves. Peers map to identities through
 * dp_ipcache6; the entries are dp_policy4's, keyed by identity, as for IPv4. The test run's skb has
 * ifindex 1, so the endpoint is dp_endpoints[1].
 */
class Ipv6PolicyGoldenTest extends DatapathPerTest {
    static final int EP = 1;
    static final String POD = "fd00:3::10";
    static final String EMPLOYEE = "fd00:3::20";
    static final String OTHER = "fd00:3::21";
    static final String HOST = "fd00:3::1";
    static final int ID_EMPLOYEE = 300;
    static final int ID_OTHER = 301;
    static final int ID_HOST = 1;
    static final int ID_WORLD = 2;
    static final int ID_CIDR = (1 << 24) + 1;
    static final int ID_CIDR_EXCEPT = (1 << 24) + 2;
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMPV6 = 58;
    static final int SCTP = 132;

    PolicyFeature policy;

    @BeforeEach
    void podAndIdentities() {
        policy = dp.policyFeature();
        dp.endpoints().put(EP, new EndpointValue(0, 0));
        policy.applyIpcache6(Map.of(
                host(EMPLOYEE), ID_EMPLOYEE,
                host(OTHER), ID_OTHER,
                host(HOST), ID_HOST,
                prefix("2001:db8:50::", 48), ID_CIDR,
                prefix("2001:db8:50:1::", 64), ID_CIDR_EXCEPT));
    }

    static IpcacheKey6 host(String ip) {
        return prefix(ip, 128);
    }

    static IpcacheKey6 prefix(String ip, int len) {
        Ipv6 a = Ipv6.parse(ip);
        return new IpcacheKey6(len, a.hi(), a.lo());
    }

    static IngressEntry allow(int identity, int proto, int port, int bits, int rule) {
        return new IngressEntry(identity, proto, port, bits, false, rule);
    }

    static IngressEntry deny(int identity, int proto, int port, int bits, int rule) {
        return new IngressEntry(identity, proto, port, bits, true, rule);
    }

    /** Runs {@code program}; a passed packet must leave untouched. */
    int verdict(String program, Packets.Spec p) {
        byte[] in = Packets.build(p);
        TestRun.Result r = run(program, in);
        if (r.verdict() == TC_ACT_UNSPEC) {
            assertThat(Packets.hex(r.packet())).as("a passed packet is untouched").isEqualTo(Packets.hex(in));
        }
        return r.verdict();
    }

    int in(Packets.Spec p) {
        return verdict(Datapath.TO_POD, p);
    }

    int out(Packets.Spec p) {
        return verdict(Datapath.FROM_POD, p);
    }

    /** An ICMPv6 message: type, code 0, checksum, identifier, sequence (echo) or reserved bytes. */
    static Packets.Spec icmp6(String saddr, String daddr, int type, int id) {
        byte[] m = ByteBuffer.allocate(24).put((byte) type).put((byte) 0).putShort((short) 0).putShort((short) id)
                .putShort((short) 1).array();
        return Packets.raw(saddr, daddr, ICMPV6, m);
    }

    static String ip(byte[] a) {
        ByteBuffer b = ByteBuffer.wrap(a);
        return new Ipv6(b.getLong(), b.getLong()).format();
    }

    @Test
    void ingressAllowsAnIdentityAndPortDeniesTheRestAndRepliesOfAllowedFlowsPass() {
        assertThat(in(Packets.tcp(OTHER, 40000, POD, 6379, TCP_SYN))).as("no policy selects the pod").isEqualTo(TC_ACT_UNSPEC);
        assertThat(policy.metrics().get(PolicyReason.PASS_NOT_ENFORCED)).isEqualTo(1);

        policy.apply(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 6379, 16, 7), allow(ID_HOST, 0, 0, 0, 99)));
        assertThat(in(Packets.tcp(EMPLOYEE, 40001, POD, 6379, TCP_SYN))).as("employee to 6379").isEqualTo(TC_ACT_UNSPEC);
        assertThat(in(Packets.tcp(OTHER, 40002, POD, 6379, TCP_SYN))).as("another pod to 6379").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.tcp(OTHER, 40002, POD, 6379, TCP_SYN))).as("its retransmission: judged again").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.tcp(EMPLOYEE, 40003, POD, 6380, TCP_SYN))).as("employee to another port").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.udp(EMPLOYEE, 40004, POD, 6379, new byte[8]))).as("employee, UDP 6379").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.tcp("2001:db8:99::9", 40005, POD, 6379, TCP_SYN))).as("the world").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.tcp(HOST, 40006, POD, 8080, TCP_SYN))).as("the node itself").isEqualTo(TC_ACT_UNSPEC);

        // the allowed flow goes on (its entry carries DP_CT_F_INGRESS_OK) and the pod's answer leaves
        assertThat(in(Packets.tcp(EMPLOYEE, 40001, POD, 6379, TCP_ACK))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(Packets.tcp(POD, 6379, EMPLOYEE, 40001, TCP_SYN | TCP_ACK))).isEqualTo(TC_ACT_UNSPEC);
        // a connection the pod opens itself: its reply comes in though no rule names the peer
        assertThat(out(Packets.tcp(POD, 41000, OTHER, 80, TCP_SYN))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(in(Packets.tcp(OTHER, 80, POD, 41000, TCP_SYN | TCP_ACK))).as("a reply to the pod's own").isEqualTo(TC_ACT_UNSPEC);

        Map<PolicyReason, Long> m = policy.metrics();
        assertThat(m.get(PolicyReason.ALLOWED)).isEqualTo(2);
        assertThat(m.get(PolicyReason.DROP_DEFAULT_DENY)).isEqualTo(5);
        assertThat(m.get(PolicyReason.PASS_TRACKED)).isEqualTo(2);
        assertThat(dp.metrics().get(Reason.DROP_POLICY_IPV6)).as("no longer closed").isZero();
        assertThat(policy.drainDrops(10)).as("the IPv4 queue").isEmpty();
        List<DropEvent6> drops = policy.drainDrops6(10);
        assertThat(drops).hasSize(5);
        DropEvent6 first = drops.get(0);
        assertThat(ip(first.saddr())).isEqualTo(OTHER);
        assertThat(ip(first.daddr())).isEqualTo(POD);
        assertThat(first.sport()).isEqualTo(40002);
        assertThat(first.dport()).isEqualTo(6379);
        assertThat(first.protocol()).isEqualTo(TCP);
        assertThat(first.identity()).isEqualTo(ID_OTHER);
        assertThat(first.epId()).isEqualTo(EP);
        assertThat(first.ruleId()).isZero();
        assertThat(first.egress()).isFalse();
        assertThat(PolicyReason.of(first.reason())).isEqualTo(PolicyReason.DROP_DEFAULT_DENY);
        assertThat(drops.get(4).identity()).as("no ipcache entry: world").isEqualTo(ID_WORLD);
        assertThat(policy.packetsByRule()).containsEntry(7, 1L).containsEntry(99, 1L);
    }

    @Test
    void denyBeatsAllowAndAnIpBlockWithExceptAdmitsItsRestOnly() {
        policy.apply(EP, true, List.of(
                allow(0, 0, 0, 0, 1),                   // everyone, everything
                deny(ID_OTHER, TCP, 6379, 16, 2),       // but not other -> 6379
                deny(0, UDP, 53, 16, 5),                // any source, UDP 53 ...
                allow(ID_OTHER, UDP, 53, 16, 6)));      // ... beats other's exact allow
        assertThat(in(Packets.tcp(OTHER, 40000, POD, 6379, TCP_SYN))).as("exact deny").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.tcp(OTHER, 40001, POD, 80, TCP_SYN))).as("the wide allow").isEqualTo(TC_ACT_UNSPEC);
        assertThat(in(Packets.udp(OTHER, 40002, POD, 53, new byte[8]))).as("any-source deny over exact allow").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.udp(OTHER, 40003, POD, 54, new byte[8]))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(policy.drainDrops6(10)).extracting(DropEvent6::ruleId).containsExactly(2, 5);

        // ipBlock 2001:db8:50::/48 except 2001:db8:50:1::/64: the compiler names the /48's identity only
        policy.apply(EP, true, List.of(allow(ID_CIDR, TCP, 443, 16, 1)));
        assertThat(in(Packets.tcp("2001:db8:50:2::3", 40004, POD, 443, TCP_SYN))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(in(Packets.tcp("2001:db8:50:1::3", 40005, POD, 443, TCP_SYN))).as("inside the except").isEqualTo(TC_ACT_SHOT);
        assertThat(in(Packets.tcp("2001:db8:51::1", 40006, POD, 443, TCP_SYN))).as("outside the block").isEqualTo(TC_ACT_SHOT);
        assertThat(policy.drainDrops6(10)).extracting(DropEvent6::identity).containsExactly(ID_CIDR_EXCEPT, ID_WORLD);
    }

    @Test
    void icmpv6EchoIsJudgedByTypeItsReplyIsTrackedAndNeighborDiscoveryAlwaysPasses() {
        policy.apply(EP, true, List.of(allow(ID_EMPLOYEE, ICMPV6, 128, 16, 3)));
        policy.applyEgress(EP, true, List.of());
        assertThat(in(icmp6(EMPLOYEE, POD, 128, 7))).as("echo request, type 128, from employee").isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(icmp6(POD, EMPLOYEE, 129, 7))).as("the pod's echo reply leaves (tracked)").isEqualTo(TC_ACT_UNSPEC);
        assertThat(in(icmp6(OTHER, POD, 128, 8))).as("echo request from another pod").isEqualTo(TC_ACT_SHOT);
        assertThat(in(icmp6(EMPLOYEE, POD, 139, 9))).as("another ICMPv6 type").isEqualTo(TC_ACT_SHOT);
        assertThat(out(icmp6(POD, OTHER, 128, 10))).as("egress default deny: the pod's own ping").isEqualTo(TC_ACT_SHOT);
        for (int nd = 133; nd <= 137; nd++) {
            assertThat(in(icmp6("fe80::1", "ff02::1:ff00:10", nd, 0))).as("neighbor discovery %d in", nd).isEqualTo(TC_ACT_UNSPEC);
            assertThat(out(icmp6("fe80::10", "ff02::1:ff00:1", nd, 0))).as("neighbor discovery %d out", nd).isEqualTo(TC_ACT_UNSPEC);
        }
        for (int mld : new int[] {130, 131, 132, 143}) {
            // multicast listener discovery, as a pod's interface sends it at start: from :: or its
            // link-local address, behind a hop-by-hop Router Alert, and directly after the header
            Packets.Spec report = icmp6("::", "ff02::16", mld, 0);
            report.ext6 = new int[] {0};
            assertThat(out(report)).as("MLD %d out, behind hop-by-hop options", mld).isEqualTo(TC_ACT_UNSPEC);
            assertThat(out(icmp6("fe80::10", "ff02::16", mld, 0))).as("MLD %d out", mld).isEqualTo(TC_ACT_UNSPEC);
            Packets.Spec query = icmp6("fe80::1", "ff02::1", mld, 0);
            query.ext6 = new int[] {0};
            assertThat(in(query)).as("MLD %d in, behind hop-by-hop options", mld).isEqualTo(TC_ACT_UNSPEC);
        }
        List<DropEvent6> drops = policy.drainDrops6(10);
        assertThat(drops).extracting(DropEvent6::protocol).containsOnly(ICMPV6);
        assertThat(drops).extracting(DropEvent6::dport).as("the ICMPv6 type").containsExactly(128, 139, 128);
        assertThat(drops).extracting(DropEvent6::egress).containsExactly(false, false, true);
    }

    @Test
    void egressAllowsAnIdentityAndPortDeniesTheRestAndRepliesOfAcceptedConnectionsLeave() {
        assertThat(out(Packets.tcp(POD, 40000, OTHER, 80, TCP_SYN))).as("no egress policy").isEqualTo(TC_ACT_UNSPEC);
        assertThat(policy.egressMetrics().get(PolicyReason.PASS_NOT_ENFORCED)).isEqualTo(1);

        policy.applyEgress(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 80, 16, 11), allow(ID_CIDR, UDP, 53, 16, 12)));
        assertThat(dp.endpoints().get(EP).flags() & PolicyFeature.FLAG_EGRESS_POLICY).isEqualTo(PolicyFeature.FLAG_EGRESS_POLICY);
        assertThat(out(Packets.tcp(POD, 40001, EMPLOYEE, 80, TCP_SYN))).as("to employee:80").isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(Packets.tcp(POD, 40001, EMPLOYEE, 80, TCP_ACK))).as("its next packet").isEqualTo(TC_ACT_UNSPEC);
        assertThat(in(Packets.tcp(EMPLOYEE, 80, POD, 40001, TCP_SYN | TCP_ACK))).as("its reply").isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(Packets.tcp(POD, 40002, OTHER, 80, TCP_SYN))).as("to another pod").isEqualTo(TC_ACT_SHOT);
        assertThat(out(Packets.tcp(POD, 40003, EMPLOYEE, 81, TCP_SYN))).as("to another port").isEqualTo(TC_ACT_SHOT);
        assertThat(out(Packets.udp(POD, 40004, "2001:db8:50:9::53", 53, new byte[8]))).as("into the ipBlock").isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(Packets.udp(POD, 40005, "2001:db8:50:1::53", 53, new byte[8]))).as("its except").isEqualTo(TC_ACT_SHOT);
        assertThat(out(Packets.sctp(POD, 40006, EMPLOYEE, 80))).as("SCTP, judged by protocol and port").isEqualTo(TC_ACT_SHOT);
        // a connection the peer opened (ingress not enforced): the pod's answers leave as tracked
        assertThat(in(Packets.tcp(OTHER, 5000, POD, 6379, TCP_SYN))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(Packets.tcp(POD, 6379, OTHER, 5000, TCP_SYN | TCP_ACK))).isEqualTo(TC_ACT_UNSPEC);

        Map<PolicyReason, Long> m = policy.egressMetrics();
        assertThat(m.get(PolicyReason.ALLOWED)).isEqualTo(2);
        assertThat(m.get(PolicyReason.DROP_DEFAULT_DENY)).isEqualTo(4);
        assertThat(m.get(PolicyReason.PASS_TRACKED)).isEqualTo(2);
        List<DropEvent6> drops = policy.drainDrops6(10);
        assertThat(drops).hasSize(4).allMatch(DropEvent6::egress);
        assertThat(ip(drops.get(0).daddr())).isEqualTo(OTHER);
        assertThat(drops).extracting(DropEvent6::identity).containsExactly(ID_OTHER, ID_EMPLOYEE, ID_CIDR_EXCEPT, ID_EMPLOYEE);
        assertThat(drops).extracting(DropEvent6::protocol).containsExactly(TCP, TCP, UDP, SCTP);
        assertThat(dp.conntrack6().snapshot()).as("the four flows let through; dropped flows leave no entry").hasSize(4);
    }

    @Test
    void aFragmentedEchoRequestIsJudgedByTypeAndItsReplyIsTracked() {
        policy.apply(EP, true, List.of(allow(ID_EMPLOYEE, ICMPV6, 128, 16, 3)));
        policy.applyEgress(EP, true, List.of());
        byte[] big = ByteBuffer.allocate(32).put((byte) 128).put((byte) 0).putShort((short) 0).putShort((short) 77)
                .putShort((short) 1).array(); // echo request, identifier 77, 24 bytes of data
        byte[][] in = Packets.fragments6(Packets.raw(EMPLOYEE, POD, ICMPV6, big), 9, 16);
        assertThat(run(Datapath.TO_POD, in[0]).verdict()).as("the first fragment, from employee").isEqualTo(TC_ACT_UNSPEC);
        assertThat(run(Datapath.TO_POD, in[1]).verdict()).as("the second follows it").isEqualTo(TC_ACT_UNSPEC);
        assertThat(out(icmp6(POD, EMPLOYEE, 129, 77))).as("the pod's reply finds the flow").isEqualTo(TC_ACT_UNSPEC);
        byte[][] other = Packets.fragments6(Packets.raw(OTHER, POD, ICMPV6, big), 10, 16);
        assertThat(run(Datapath.TO_POD, other[0]).verdict()).as("from another pod").isEqualTo(TC_ACT_SHOT);
        assertThat(policy.drainDrops6(10)).extracting(DropEvent6::dport).as("judged as type 128").containsExactly(128);
        assertThat(policy.egressMetrics().get(PolicyReason.PASS_TRACKED)).isEqualTo(1);
    }

    static final String VIP = "fd00:96::a";

    private CtEntry egressHalf(int sport) {
        Ipv6 c = Ipv6.parse(POD);
        Ipv6 v = Ipv6.parse(VIP);
        return dp.conntrack6().snapshot().get(new CtKey6(c.hi(), c.lo(), v.hi(), v.lo(), sport, 80, TCP, CtKey.EGRESS));
    }

    @Test
    void aServiceFlowIsJudgedByItsBackendOnceThenTrackedAndADeniedOneIsJudgedAgain() {
        dp.applyServices(List.of(new ServiceSpec("test/web6", Frontend.of(VIP, 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(Backend.of(EMPLOYEE, 8080)))));
        // before any policy: the flow is let out and marked, so a policy that comes later leaves it alone
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, 39000, VIP, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_OK);
        assertThat(egressHalf(39000).flags() & CtEntry.F_EGRESS_OK).isEqualTo(CtEntry.F_EGRESS_OK);

        policy.applyEgress(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 8080, 16, 11)));
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, 39000, VIP, 80, TCP_ACK)).verdict()).as("the earlier flow").isEqualTo(TC_ACT_OK);
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, 40000, VIP, 80, TCP_SYN)).verdict()).as("by its backend").isEqualTo(TC_ACT_OK);
        assertThat(egressHalf(40000).flags() & CtEntry.F_EGRESS_OK).as("marked let out").isEqualTo(CtEntry.F_EGRESS_OK);
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, 40000, VIP, 80, TCP_ACK)).verdict()).isEqualTo(TC_ACT_OK);
        Map<PolicyReason, Long> m = policy.egressMetrics();
        assertThat(m.get(PolicyReason.ALLOWED)).as("judged once").isEqualTo(1);
        assertThat(m.get(PolicyReason.PASS_TRACKED)).as("the earlier flow and the next packet").isEqualTo(2);

        // the backend's port is not allowed: dropped, no mark, its retransmission judged again
        policy.applyEgress(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 8081, 16, 12)));
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, 40001, VIP, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(egressHalf(40001).flags() & CtEntry.F_EGRESS_OK).isZero();
        assertThat(run(Datapath.FROM_POD, Packets.tcp(POD, 40001, VIP, 80, TCP_SYN)).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(policy.egressMetrics().get(PolicyReason.DROP_DEFAULT_DENY)).isEqualTo(2);
        List<DropEvent6> drops = policy.drainDrops6(10);
        assertThat(drops).extracting(DropEvent6::identity).as("the backend's identity").containsExactly(ID_EMPLOYEE, ID_EMPLOYEE);
        assertThat(drops).extracting(DropEvent6::dport).as("the backend's port").containsExactly(8080, 8080);
    }
}
