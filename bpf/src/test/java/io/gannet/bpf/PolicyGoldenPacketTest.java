package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.DropEvent;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.IpcacheKey;
import io.gannet.bpf.maps.PolicyMapKey;
import io.gannet.bpf.policy.IngressEntry;
import io.gannet.bpf.policy.PolicyFeature;
import io.gannet.bpf.policy.PolicyReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets through to_pod's ingress policy stage (BPF_PROG_TEST_RUN): for each case the
 * input frame, the verdict (TC_ACT_UNSPEC = passed on untouched, TC_ACT_SHOT = dropped) and the
 * output bytes (a passed packet is unchanged), plus the counters and drop events it leaves.
 *
 * <p>BPF_PROG_TEST_RUN builds the skb on the namespace's loopback, so skb->ifindex is 1: the
 * endpoint under test is dp_endpoints[1] (this pin root's own maps; no device is attached).
 */
class PolicyGoldenPacketTest extends DatapathPerTest {
    static final int EP = 1;

    static final String POD = "10.3.0.10";
    static final String HOST = "10.3.0.1";
    static final String EMPLOYEE = "10.3.0.20";
    static final String OTHER = "10.3.0.21";
    static final int ID_EMPLOYEE = 300;
    static final int ID_OTHER = 301;
    static final int ID_HOST = 1;
    static final int ID_WORLD = 2;
    static final int ID_CIDR = (1 << 24) + 1;
    static final int ID_CIDR_EXCEPT = (1 << 24) + 2;
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int GRE = 47;
    static final int SCTP = 132;

    PolicyFeature policy;

    @BeforeEach
    void podAndIdentities() {
        policy = dp.policyFeature();
        dp.endpoints().put(EP, new EndpointValue(Ipv4.parse(POD), 0));
        policy.applyIpcache(Map.of(
                host(EMPLOYEE), ID_EMPLOYEE,
                host(OTHER), ID_OTHER,
                host(HOST), ID_HOST,
                new IpcacheKey(16, Ipv4.parse("10.50.0.0")), ID_CIDR,
                new IpcacheKey(24, Ipv4.parse("10.50.1.0")), ID_CIDR_EXCEPT));
    }

    static IpcacheKey host(String ip) {
        return new IpcacheKey(32, Ipv4.parse(ip));
    }

    static IngressEntry allow(int identity, int proto, int port, int bits, int rule) {
        return new IngressEntry(identity, proto, port, bits, false, rule);
    }

    static IngressEntry deny(int identity, int proto, int port, int bits, int rule) {
        return new IngressEntry(identity, proto, port, bits, true, rule);
    }

    /** The node itself stays allowed (the compiler adds this entry unless a policy denies the host). */
    static final IngressEntry HOST_ALLOWED = allow(ID_HOST, 0, 0, 0, 99);

    int verdict(Packets.Spec p) {
        byte[] in = Packets.build(p);
        TestRun.Result r = run(Datapath.TO_POD, in);
        if (r.verdict() == TC_ACT_UNSPEC) {
            assertThat(Packets.hex(r.packet())).as("a passed packet is untouched").isEqualTo(Packets.hex(in));
        }
        return r.verdict();
    }

    int tcpSyn(String from, int sport, int dport) {
        return verdict(Packets.tcp(from, sport, POD, dport, TCP_SYN));
    }

    @Test
    void anEndpointNoPolicySelectsIsNotEnforced() {
        assertThat(tcpSyn(OTHER, 40000, 6379)).isEqualTo(TC_ACT_UNSPEC);
        assertThat(policy.metrics().get(PolicyReason.PASS_NOT_ENFORCED)).isEqualTo(1);
        assertThat(policy.drainDrops(10)).isEmpty();
    }

    @Test
    void allowByIdentityAndPortDefaultDenyForTheRest() {
        policy.apply(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 6379, 16, 7), HOST_ALLOWED));
        assertThat(dp.endpoints().get(EP).flags() & PolicyFeature.FLAG_INGRESS_POLICY).isEqualTo(1);

        assertThat(tcpSyn(EMPLOYEE, 40000, 6379)).as("employee to 6379").isEqualTo(TC_ACT_UNSPEC);
        assertThat(tcpSyn(OTHER, 40001, 6379)).as("another pod to 6379").isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn(EMPLOYEE, 40002, 6380)).as("employee to another port").isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.udp(EMPLOYEE, 40003, POD, 6379, new byte[8]))).as("employee, UDP 6379").isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn("192.0.2.9", 40004, 6379)).as("the world").isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn(HOST, 40005, 8080)).as("the node itself (kubelet probe)").isEqualTo(TC_ACT_UNSPEC);

        Map<PolicyReason, Long> m = policy.metrics();
        assertThat(m.get(PolicyReason.ALLOWED)).isEqualTo(2);
        assertThat(m.get(PolicyReason.DROP_DEFAULT_DENY)).isEqualTo(4);
        List<DropEvent> drops = policy.drainDrops(10);
        assertThat(drops).hasSize(4);
        DropEvent first = drops.get(0);
        assertThat(Ipv4.format(first.saddr())).isEqualTo(OTHER);
        assertThat(Ipv4.format(first.daddr())).isEqualTo(POD);
        assertThat(first.sport()).isEqualTo(40001);
        assertThat(first.dport()).isEqualTo(6379);
        assertThat(first.protocol()).isEqualTo(TCP);
        assertThat(first.identity()).isEqualTo(ID_OTHER);
        assertThat(first.epId()).isEqualTo(EP);
        assertThat(first.ruleId()).isZero();
        assertThat(PolicyReason.of(first.reason())).isEqualTo(PolicyReason.DROP_DEFAULT_DENY);
        assertThat(drops.get(3).identity()).as("no ipcache entry: world").isEqualTo(ID_WORLD);
        assertThat(policy.packetsByRule()).containsEntry(7, 1L).containsEntry(99, 1L);
    }

    @Test
    void denyBeatsAllow() {
        policy.apply(EP, true, List.of(
                allow(0, 0, 0, 0, 1),                   // everyone, everything
                deny(ID_OTHER, TCP, 6379, 16, 2),       // but not other -> 6379
                allow(ID_EMPLOYEE, TCP, 6000, 7, 3),    // employee 6000-6511 ...
                deny(ID_EMPLOYEE, TCP, 0, 0, 4),        // ... inside a deny of all of employee's TCP
                deny(0, UDP, 53, 16, 5),                // any source, UDP 53 ...
                allow(ID_OTHER, UDP, 53, 16, 6)));      // ... beats other's exact allow
        assertThat(tcpSyn(OTHER, 40000, 6379)).as("other -> 6379: exact deny").isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn(OTHER, 40001, 80)).as("other -> 80: the wide allow").isEqualTo(TC_ACT_UNSPEC);
        assertThat(tcpSyn(EMPLOYEE, 40002, 6100)).as("employee 6100: allow nested in a deny").isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn(EMPLOYEE, 40003, 80)).as("employee 80: the deny").isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.udp(OTHER, 40004, POD, 53, new byte[8]))).as("any-source deny over exact allow")
                .isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.udp(OTHER, 40005, POD, 54, new byte[8]))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(policy.metrics().get(PolicyReason.DROP_DENIED)).isEqualTo(4);
        List<DropEvent> drops = policy.drainDrops(10);
        assertThat(drops).extracting(DropEvent::ruleId).containsExactly(2, 4, 4, 5);
        assertThat(drops).allMatch(d -> PolicyReason.of(d.reason()) == PolicyReason.DROP_DENIED);
    }

    @Test
    void cidrWithExcept() {
        // fromCIDRSet 10.50.0.0/16 except 10.50.1.0/24: the compiler names the /16's identity only
        policy.apply(EP, true, List.of(allow(ID_CIDR, TCP, 443, 16, 1)));
        assertThat(tcpSyn("10.50.2.3", 40000, 443)).isEqualTo(TC_ACT_UNSPEC);
        assertThat(tcpSyn("10.50.1.3", 40001, 443)).as("inside the except").isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn("10.51.0.1", 40002, 443)).as("outside the CIDR").isEqualTo(TC_ACT_SHOT);
        assertThat(policy.drainDrops(10)).extracting(DropEvent::identity).containsExactly(ID_CIDR_EXCEPT, ID_WORLD);
    }

    @Test
    void portRangesAsPrefixes() {
        // 8000-8100 (TCP) is 8000/12 .. 8096/14 .. 8100/16: a handful of prefixes
        java.util.List<IngressEntry> entries = new java.util.ArrayList<>();
        long start = 8000;
        while (start <= 8100) {
            int bits = 16;
            while (bits > 0 && (start & ((1L << (16 - bits + 1)) - 1)) == 0 && start + (1L << (16 - bits + 1)) - 1 <= 8100) {
                bits--;
            }
            entries.add(allow(ID_EMPLOYEE, TCP, (int) start, bits, 1));
            start += 1L << (16 - bits);
        }
        assertThat(entries.size()).isLessThan(10);
        policy.apply(EP, true, entries);
        int port = 40000;
        for (int p : new int[] {8000, 8001, 8050, 8063, 8064, 8095, 8096, 8099, 8100}) {
            assertThat(tcpSyn(EMPLOYEE, port++, p)).as("port " + p).isEqualTo(TC_ACT_UNSPEC);
        }
        for (int p : new int[] {7999, 8101, 8128, 6379, 0}) {
            assertThat(tcpSyn(EMPLOYEE, port++, p)).as("port " + p).isEqualTo(TC_ACT_SHOT);
        }
        assertThat(verdict(Packets.udp(EMPLOYEE, port, POD, 8050, new byte[8]))).as("UDP in the TCP range").isEqualTo(TC_ACT_SHOT);
    }

    @Test
    void repliesOfAllowedFlowsPassAndDroppedSynsStayDropped() {
        policy.apply(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 6379, 16, 1)));
        assertThat(tcpSyn(EMPLOYEE, 40000, 6379)).isEqualTo(TC_ACT_UNSPEC);
        Packets.Spec ack = Packets.tcp(EMPLOYEE, 40000, POD, 6379, TCP_ACK);
        assertThat(verdict(ack)).as("the allowed connection goes on").isEqualTo(TC_ACT_UNSPEC);

        // a flow the pod opened itself (recorded by from_pod): its replies pass despite default deny
        Packets.Spec out = Packets.tcp(POD, 51000, OTHER, 80, TCP_SYN);
        assertThat(run(Datapath.FROM_POD, out).verdict()).isEqualTo(TC_ACT_UNSPEC);
        Packets.Spec synAck = Packets.tcp(OTHER, 80, POD, 51000, TCP_SYN | TCP_ACK);
        assertThat(verdict(synAck)).as("reply to the pod's own connection").isEqualTo(TC_ACT_UNSPEC);

        // a dropped SYN creates no conntrack entry: its retransmission is judged again
        assertThat(tcpSyn(OTHER, 40001, 6379)).isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn(OTHER, 40001, 6379)).isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.tcp(OTHER, 40001, POD, 6379, TCP_ACK))).isEqualTo(TC_ACT_SHOT);
        // another pod on this node sends: its from_pod records the flow first, which lets nothing in
        Packets.Spec fromOther = Packets.tcp(OTHER, 40002, POD, 6379, TCP_SYN);
        assertThat(run(Datapath.FROM_POD, fromOther).verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(fromOther)).as("recorded by the sender's from_pod, still judged").isEqualTo(TC_ACT_SHOT);
        // ... and a flow the policy allows, recorded the same way, is let in and marked
        Packets.Spec fromEmployee = Packets.tcp(EMPLOYEE, 40003, POD, 6379, TCP_SYN);
        assertThat(run(Datapath.FROM_POD, fromEmployee).verdict()).isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(fromEmployee)).isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.tcp(EMPLOYEE, 40003, POD, 6379, TCP_ACK))).isEqualTo(TC_ACT_UNSPEC);
        Map<PolicyReason, Long> m = policy.metrics();
        assertThat(m.get(PolicyReason.PASS_TRACKED)).isEqualTo(3);
        assertThat(m.get(PolicyReason.ALLOWED)).isEqualTo(2);
        assertThat(m.get(PolicyReason.DROP_DEFAULT_DENY)).isEqualTo(4);
    }

    int fromPod(Packets.Spec p) {
        return run(Datapath.FROM_POD, p).verdict();
    }

    @Test
    void icmpIsJudgedByTypeAndRepliesToThePodsOwnPingPass() {
        policy.apply(EP, true, List.of(
                allow(ID_EMPLOYEE, ICMP, 8, 16, 1),   // icmps: [{fields: [{type: EchoRequest}]}]
                allow(ID_OTHER, 0, 0, 0, 2),          // a rule without ports: every protocol
                allow(ID_EMPLOYEE, TCP, 6379, 16, 3),
                HOST_ALLOWED));
        assertThat(verdict(Packets.icmpEcho(EMPLOYEE, POD, 8, 11))).as("employee's ping").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.icmpEcho(EMPLOYEE, POD, 8, 11))).as("its next request: tracked").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.icmpEcho(OTHER, POD, 8, 12))).as("other's ping: any protocol").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.icmpEcho(HOST, POD, 8, 13))).as("the node's ping").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.icmpEcho("192.0.2.9", POD, 8, 14))).as("the world's ping: default deny").isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.icmpEcho(EMPLOYEE, POD, 13, 15))).as("employee's timestamp request (type 13)").isEqualTo(TC_ACT_SHOT);

        // the pod pings out: the reply passes (conntrack by identifier), an unsolicited one does not
        assertThat(fromPod(Packets.icmpEcho(POD, "192.0.2.9", 8, 77))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.icmpEcho("192.0.2.9", POD, 0, 77))).as("reply to the pod's ping").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.icmpEcho("192.0.2.9", POD, 0, 78))).as("a reply nobody asked for").isEqualTo(TC_ACT_SHOT);

        List<DropEvent> drops = policy.drainDrops(10);
        assertThat(drops).extracting(DropEvent::protocol).containsOnly(ICMP);
        assertThat(drops).extracting(DropEvent::dport).as("the ICMP type").containsExactly(8, 13, 0);
        assertThat(drops).extracting(DropEvent::identity).containsExactly(ID_WORLD, ID_EMPLOYEE, ID_WORLD);
        assertThat(policy.packetsByRule()).containsEntry(1, 1L).containsEntry(2, 1L).containsEntry(99, 1L);
    }

    @Test
    void otherProtocolsAreJudgedByProtocolAndSctpByPort() {
        policy.apply(EP, true, List.of(
                allow(ID_EMPLOYEE, TCP, 6379, 16, 1),
                allow(ID_OTHER, GRE, 0, 0, 2),        // toPorts: [{ports: [{protocol: ...}]}] of a protocol without ports
                allow(ID_EMPLOYEE, SCTP, 3868, 16, 3)));
        byte[] gre = {0, 0, 0x08, 0, 1, 2, 3, 4};
        assertThat(verdict(Packets.raw(EMPLOYEE, POD, GRE, gre))).as("employee's GRE: only TCP 6379 allowed").isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.raw(OTHER, POD, GRE, gre))).as("other's GRE").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.raw(EMPLOYEE, POD, 50, new byte[16]))).as("ESP: no rule").isEqualTo(TC_ACT_SHOT);
        assertThat(verdict(Packets.sctp(EMPLOYEE, 5000, POD, 3868))).as("SCTP to the allowed port").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.sctp(EMPLOYEE, 5001, POD, 3869))).as("SCTP to another port").isEqualTo(TC_ACT_SHOT);

        // the pod's own GRE tunnel to the world: what comes back passes
        assertThat(fromPod(Packets.raw(POD, "192.0.2.9", GRE, gre))).isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.raw("192.0.2.9", POD, GRE, gre))).as("GRE back from the pod's peer").isEqualTo(TC_ACT_UNSPEC);
        assertThat(verdict(Packets.raw("192.0.2.10", POD, GRE, gre))).as("GRE from elsewhere").isEqualTo(TC_ACT_SHOT);

        // a non-first fragment carries no L4 header: it follows its first fragment at reassembly
        Packets.Spec later = Packets.raw("192.0.2.10", POD, GRE, new byte[8]);
        later.fragOff = 2; // offset 16 bytes
        assertThat(verdict(later)).isEqualTo(TC_ACT_UNSPEC);

        List<DropEvent> drops = policy.drainDrops(10);
        assertThat(drops).extracting(DropEvent::protocol).containsExactly(GRE, 50, SCTP, GRE);
        assertThat(drops.get(2).sport()).isEqualTo(5001);
        assertThat(drops.get(2).dport()).isEqualTo(3869);
        assertThat(policy.packetsByRule()).containsEntry(2, 1L).containsEntry(3, 1L);
    }

    int fromPodSyn(String to, int sport, int dport) {
        return fromPod(Packets.tcp(POD, sport, to, dport, TCP_SYN));
    }

    @Test
    void egressAllowsByDestinationIdentityAndPortDefaultDenyForTheRest() {
        policy.applyEgress(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 6379, 16, 11)));
        assertThat(dp.endpoints().get(EP).flags()).isEqualTo(PolicyFeature.FLAG_EGRESS_POLICY);
        assertThat(policy.enforced(EP)).as("ingress stays open").isFalse();

        assertThat(fromPodSyn(EMPLOYEE, 50000, 6379)).as("to employee:6379").isEqualTo(TC_ACT_UNSPEC);
        assertThat(fromPod(Packets.tcp(POD, 50000, EMPLOYEE, 6379, TCP_ACK))).as("the flow goes on").isEqualTo(TC_ACT_UNSPEC);
        assertThat(fromPodSyn(OTHER, 50001, 6379)).as("to another pod").isEqualTo(TC_ACT_SHOT);
        assertThat(fromPodSyn(OTHER, 50001, 6379)).as("its retransmission: judged again").isEqualTo(TC_ACT_SHOT);
        assertThat(fromPodSyn(EMPLOYEE, 50002, 6380)).as("to another port").isEqualTo(TC_ACT_SHOT);
        assertThat(fromPodSyn(HOST, 50003, 10250)).as("to the node: no implicit allow on egress").isEqualTo(TC_ACT_SHOT);
        assertThat(fromPod(Packets.icmpEcho(POD, "192.0.2.9", 8, 5))).as("a ping to the world").isEqualTo(TC_ACT_SHOT);

        // a connection the pod accepted: its replies leave (conntrack), egress policy or not
        assertThat(tcpSyn(OTHER, 40000, 80)).as("ingress is open").isEqualTo(TC_ACT_UNSPEC);
        assertThat(fromPod(Packets.tcp(POD, 80, OTHER, 40000, TCP_SYN | TCP_ACK))).as("the pod's SYN-ACK").isEqualTo(TC_ACT_UNSPEC);

        Map<PolicyReason, Long> m = policy.egressMetrics();
        assertThat(m.get(PolicyReason.ALLOWED)).isEqualTo(1);
        assertThat(m.get(PolicyReason.PASS_TRACKED)).isEqualTo(2);
        assertThat(m.get(PolicyReason.DROP_DEFAULT_DENY)).isEqualTo(5);
        assertThat(policy.metrics().get(PolicyReason.DROP_DEFAULT_DENY)).as("ingress counters untouched").isZero();
        List<DropEvent> drops = policy.drainDrops(10);
        assertThat(drops).hasSize(5).allMatch(DropEvent::egress);
        DropEvent first = drops.get(0);
        assertThat(Ipv4.format(first.saddr())).isEqualTo(POD);
        assertThat(Ipv4.format(first.daddr())).isEqualTo(OTHER);
        assertThat(first.dport()).isEqualTo(6379);
        assertThat(first.identity()).as("the destination's identity").isEqualTo(ID_OTHER);
        assertThat(first.epId()).isEqualTo(EP);
        assertThat(drops.get(3).identity()).isEqualTo(ID_HOST);
        assertThat(drops.get(4).identity()).isEqualTo(ID_WORLD);
        assertThat(policy.packetsByRule()).containsEntry(11, 1L);

        // deny beats allow on egress too; removing the policy opens egress again
        policy.applyEgress(EP, true, List.of(allow(0, 0, 0, 0, 12), deny(ID_OTHER, TCP, 0, 0, 13)));
        assertThat(fromPodSyn(OTHER, 50010, 80)).isEqualTo(TC_ACT_SHOT);
        assertThat(fromPodSyn("192.0.2.9", 50011, 443)).isEqualTo(TC_ACT_UNSPEC);
        assertThat(policy.drainDrops(10)).extracting(DropEvent::ruleId).containsExactly(13);
        policy.applyEgress(EP, false, List.of());
        assertThat(dp.endpoints().get(EP).flags()).isZero();
        assertThat(fromPodSyn(OTHER, 50012, 6379)).isEqualTo(TC_ACT_UNSPEC);
    }

    @Test
    void egressToAServiceIsJudgedByTheBackendItPicked() {
        String vip = "10.96.0.10";
        dp.applyServices(List.of(
                new io.gannet.bpf.lb.ServiceSpec("lab/cache", io.gannet.bpf.lb.Frontend.of(vip, 80, io.gannet.bpf.lb.Protocol.TCP), false,
                        io.gannet.bpf.lb.ServiceSpec.Algorithm.RANDOM, List.of(io.gannet.bpf.lb.Backend.of(EMPLOYEE, 6379))),
                new io.gannet.bpf.lb.ServiceSpec("lab/other", io.gannet.bpf.lb.Frontend.of(vip, 81, io.gannet.bpf.lb.Protocol.TCP), false,
                        io.gannet.bpf.lb.ServiceSpec.Algorithm.RANDOM, List.of(io.gannet.bpf.lb.Backend.of(OTHER, 6379)))));
        // an established Service flow from before the policy keeps going
        assertThat(fromPodSyn(vip, 50100, 81)).isEqualTo(TC_ACT_OK);
        policy.applyEgress(EP, true, List.of(allow(ID_EMPLOYEE, TCP, 6379, 16, 21)));
        assertThat(fromPod(Packets.tcp(POD, 50100, vip, 81, TCP_ACK))).as("established before the policy").isEqualTo(TC_ACT_OK);

        assertThat(fromPodSyn(vip, 50101, 80)).as("the Service's backend is employee:6379").isEqualTo(TC_ACT_OK);
        assertThat(fromPod(Packets.tcp(POD, 50101, vip, 80, TCP_ACK))).isEqualTo(TC_ACT_OK);
        assertThat(fromPodSyn(vip, 50102, 81)).as("a Service whose backend the policy does not allow").isEqualTo(TC_ACT_SHOT);
        io.gannet.bpf.maps.CtKey denied = new io.gannet.bpf.maps.CtKey(Ipv4.parse(POD), Ipv4.parse(vip), 50102, 81, 6,
                io.gannet.bpf.maps.CtKey.EGRESS);
        io.gannet.bpf.maps.CtKey deniedReply = new io.gannet.bpf.maps.CtKey(Ipv4.parse(OTHER), Ipv4.parse(POD), 6379, 50102, 6,
                io.gannet.bpf.maps.CtKey.REPLY);
        assertThat(dp.conntrack().get(denied)).as("a denied flow keeps no NAT entry").isNull();
        assertThat(dp.conntrack().get(deniedReply)).isNull();
        assertThat(fromPodSyn(vip, 50102, 81)).as("its retransmission").isEqualTo(TC_ACT_SHOT);
        assertThat(dp.conntrack().get(denied)).isNull();
        assertThat(dp.conntrack().get(new io.gannet.bpf.maps.CtKey(Ipv4.parse(POD), Ipv4.parse(vip), 50101, 80, 6,
                io.gannet.bpf.maps.CtKey.EGRESS))).as("an allowed flow keeps its entries").isNotNull();
        List<DropEvent> drops = policy.drainDrops(10);
        assertThat(drops).hasSize(2).allMatch(d -> d.identity() == ID_OTHER && d.dport() == 6379 && d.egress());
        assertThat(Ipv4.format(drops.get(0).daddr())).as("reported with the backend's address").isEqualTo(OTHER);
        Map<PolicyReason, Long> m = policy.egressMetrics();
        assertThat(m.get(PolicyReason.ALLOWED)).isEqualTo(1);
        assertThat(m.get(PolicyReason.PASS_TRACKED)).isEqualTo(2);
    }

    @Test
    void reconcilerWritesOnlyChangesAndOpensWhenNoPolicySelects() {
        List<IngressEntry> base = List.of(allow(ID_EMPLOYEE, TCP, 6379, 16, 1), HOST_ALLOWED);
        assertThat(policy.apply(EP, true, base)).isEqualTo(new PolicyFeature.Applied(2, 0));
        assertThat(policy.apply(EP, true, base)).as("idempotent").isEqualTo(new PolicyFeature.Applied(0, 0));
        List<IngressEntry> changed = List.of(allow(ID_EMPLOYEE, TCP, 6380, 16, 1), HOST_ALLOWED);
        assertThat(policy.apply(EP, true, changed)).isEqualTo(new PolicyFeature.Applied(1, 1));
        assertThat(policy.entries(EP).keySet()).containsExactlyInAnyOrder(
                PolicyMapKey.of(EP, ID_EMPLOYEE, TCP, 6380, 16), PolicyMapKey.of(EP, ID_HOST, 0, 0, 0));
        assertThat(tcpSyn(EMPLOYEE, 40000, 6379)).isEqualTo(TC_ACT_SHOT);
        assertThat(tcpSyn(EMPLOYEE, 40001, 6380)).isEqualTo(TC_ACT_UNSPEC);

        // a restarted agent re-adopts the entries, the flag and the ipcache: nothing to rewrite
        reopen();
        policy = dp.policyFeature();
        assertThat(policy.restoredEntries()).isEqualTo(2);
        assertThat(policy.enforced(EP)).isTrue();
        assertThat(policy.apply(EP, true, changed)).isEqualTo(new PolicyFeature.Applied(0, 0));
        assertThat(tcpSyn(OTHER, 40002, 6380)).isEqualTo(TC_ACT_SHOT);

        assertThat(policy.apply(EP, false, List.of())).isEqualTo(new PolicyFeature.Applied(0, 2));
        assertThat(dp.endpoints().get(EP).flags()).isZero();
        assertThat(tcpSyn(OTHER, 40003, 6380)).as("open again").isEqualTo(TC_ACT_UNSPEC);
    }
}
