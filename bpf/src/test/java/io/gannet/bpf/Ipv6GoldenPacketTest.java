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
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.CtKey;
import io.gannet.bpf.maps.CtKey6;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * IPv6 Service DNAT (lib/lb6.h) by golden packets through BPF_PROG_TEST_RUN: each input frame,
 * the expected verdict and the expected output built independently by {@link Packets}, and the
 * output's TCP/UDP checksum verified over the IPv6 pseudo-header. An IPv4 frontend of the same
 * dual-stack Service is checked in the same datapath.
 */
class Ipv6GoldenPacketTest extends DatapathPerTest {
    static final String CLIENT = "fd00:10:244:1::5";
    static final String VIP = "fd00:96::a";
    static final String VIP_EMPTY = "fd00:96::b";
    static final String B1 = "fd00:10:244:2::7";
    static final String B2 = "fd00:10:244:2::8";
    static final String B3 = "fd00:10:244:3::9";

    /** The destination address of an IPv6 frame's output. */
    static String dst6(byte[] frame) {
        return Ipv6.of(Arrays.copyOfRange(frame, 14 + 24, 14 + 40)).format();
    }

    static TestRun.Result checked(TestRun.Result r) {
        assertThat(Packets.l4ChecksumOk(r.packet())).as("L4 checksum of the output\n" + Packets.hex(r.packet())).isTrue();
        return r;
    }

    @Test
    void tcpNewFlowIsDnatedAndItsReplyReverseNated() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080))));
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN);
        byte[] in = Packets.build(syn);
        assertThat(Packets.l4ChecksumOk(in)).as("the input's checksum").isTrue();
        byte[] corrupt = in.clone();
        corrupt[corrupt.length - 1] ^= 1;
        assertThat(Packets.l4ChecksumOk(corrupt)).as("the check sees a wrong checksum").isFalse();
        Packets.Spec expected = syn.copy();
        expected.daddr = B1;
        expected.dport = 8080;
        assertPacket(checked(run(Datapath.FROM_POD, in)), TC_ACT_OK, Packets.build(expected));

        // both halves are in dp_ct6, none in dp_ct4
        assertThat(dp.conntrack6().snapshot().keySet()).extracting(CtKey6::dir).containsExactlyInAnyOrder(CtKey.EGRESS, CtKey.REPLY);
        assertThat(dp.conntrack().snapshot()).isEmpty();

        // the backend's reply, on its own pod's from_pod and on the client's to_pod: from the service again
        Packets.Spec synAck = Packets.tcp(B1, 8080, CLIENT, 40000, TCP_SYN | TCP_ACK);
        synAck.ack = 1001;
        Packets.Spec revExpected = synAck.copy();
        revExpected.saddr = VIP;
        revExpected.sport = 80;
        assertPacket(checked(run(Datapath.FROM_POD, synAck)), TC_ACT_OK, Packets.build(revExpected));
        assertPacket(checked(run(Datapath.TO_POD, synAck)), TC_ACT_OK, Packets.build(revExpected));

        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_REVERSE)).isEqualTo(2);
    }

    @Test
    void anEstablishedFlowKeepsItsBackendThroughConntrack() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM,
                Backend.of(B1, 8080), Backend.of(B2, 8080), Backend.of(B3, 8080))));
        String first = null;
        for (int i = 0; i < 20; i++) {
            Packets.Spec p = Packets.tcp(CLIENT, 40001, VIP, 80, i == 0 ? TCP_SYN : TCP_ACK | TCP_PSH);
            p.payload = ("segment " + i).getBytes();
            TestRun.Result r = checked(run(Datapath.FROM_POD, p));
            String dst = dst6(r.packet());
            first = first == null ? dst : first;
            assertThat(dst).as("packet " + i + " keeps the flow's backend").isEqualTo(first);
            Packets.Spec expected = p.copy();
            expected.daddr = dst;
            expected.dport = 8080;
            assertPacket(r, TC_ACT_OK, Packets.build(expected));
        }
        assertThat(dp.metrics().get(Reason.NAT_CT_HIT)).isEqualTo(19);

        Set<String> spread = new HashSet<>();
        for (int port = 41000; port < 41060; port++) {
            spread.add(dst6(run(Datapath.FROM_POD, Packets.tcp(CLIENT, port, VIP, 80, TCP_SYN)).packet()));
        }
        assertThat(spread).as("new flows spread over every backend").containsExactlyInAnyOrder(B1, B2, B3);
    }

    @Test
    void udpIsDnatedAndReverseNatedWithItsChecksumUpdated() {
        dp.applyServices(List.of(svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B2, 5353))));
        Packets.Spec q = Packets.udp(CLIENT, 33000, VIP, 53, "query".getBytes());
        Packets.Spec e = q.copy();
        e.daddr = B2;
        e.dport = 5353;
        assertPacket(checked(run(Datapath.FROM_POD, q)), TC_ACT_OK, Packets.build(e));
        // the next datagram of the flow: conntrack
        assertPacket(checked(run(Datapath.FROM_POD, q)), TC_ACT_OK, Packets.build(e));
        assertThat(dp.metrics().get(Reason.NAT_CT_HIT)).isEqualTo(1);

        Packets.Spec answer = Packets.udp(B2, 5353, CLIENT, 33000, "answer".getBytes());
        Packets.Spec back = answer.copy();
        back.saddr = VIP;
        back.sport = 53;
        assertPacket(checked(run(Datapath.TO_POD, answer)), TC_ACT_OK, Packets.build(back));
    }

    @Test
    void anIpv6AddressThatIsNoServicePassesUntouched() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080))));
        byte[] otherIp = Packets.build(Packets.tcp(CLIENT, 40000, "fd00:96::99", 80, TCP_SYN));
        assertPacket(run(Datapath.FROM_POD, otherIp), TC_ACT_UNSPEC, otherIp);
        byte[] otherPort = Packets.build(Packets.tcp(CLIENT, 40000, VIP, 81, TCP_SYN));
        assertPacket(run(Datapath.FROM_POD, otherPort), TC_ACT_UNSPEC, otherPort);
        byte[] otherProto = Packets.build(Packets.udp(CLIENT, 40000, VIP, 80, new byte[4]));
        assertPacket(run(Datapath.FROM_POD, otherProto), TC_ACT_UNSPEC, otherProto);
        byte[] podToPod = Packets.build(Packets.tcp(B1, 8080, CLIENT, 40000, TCP_ACK));
        assertPacket(run(Datapath.TO_POD, podToPod), TC_ACT_UNSPEC, podToPod);
        // ICMPv6 echo (request, type 128) is no Service's: untouched, tracked for policy (lib/track6.h)
        Packets.Spec echo = Packets.raw(CLIENT, VIP, 58, new byte[] {(byte) 128, 0, 0, 0, 0, 1, 0, 1});
        byte[] icmp6 = Packets.build(echo);
        assertPacket(run(Datapath.FROM_POD, icmp6), TC_ACT_UNSPEC, icmp6);
        assertThat(dp.metrics().get(Reason.PASS_NO_SERVICE)).isEqualTo(3);
        assertThat(dp.metrics().get(Reason.PASS_NON_IPV4)).isZero();
        // no NAT pair: the four TCP/UDP flows and the echo are tracked as untranslated ones (lib/track6.h)
        assertThat(dp.conntrack6().snapshot().keySet()).hasSize(5).extracting(CtKey6::dir).containsOnly(CtKey.PLAIN);
    }

    @Test
    void aDualStackServiceTranslatesEachFamilyToItsOwnBackends() {
        dp.applyServices(List.of(
                svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080)),
                svc("10.96.0.10", 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of("10.2.0.7", 8080))));
        Packets.Spec syn4 = Packets.tcp("10.1.0.5", 40000, "10.96.0.10", 80, TCP_SYN);
        Packets.Spec e4 = syn4.copy();
        e4.daddr = "10.2.0.7";
        e4.dport = 8080;
        assertPacket(checked(run(Datapath.FROM_POD, syn4)), TC_ACT_OK, Packets.build(e4));
        Packets.Spec rep4 = Packets.tcp("10.2.0.7", 8080, "10.1.0.5", 40000, TCP_SYN | TCP_ACK);
        Packets.Spec back4 = rep4.copy();
        back4.saddr = "10.96.0.10";
        back4.sport = 80;
        assertPacket(checked(run(Datapath.TO_POD, rep4)), TC_ACT_OK, Packets.build(back4));

        Packets.Spec syn6 = Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN);
        Packets.Spec e6 = syn6.copy();
        e6.daddr = B1;
        e6.dport = 8080;
        assertPacket(checked(run(Datapath.FROM_POD, syn6)), TC_ACT_OK, Packets.build(e6));
        assertThat(dp.conntrack().snapshot().keySet()).extracting(CtKey::dir)
                .containsExactlyInAnyOrder(CtKey.EGRESS, CtKey.REPLY);
        assertThat(dp.conntrack6().snapshot()).hasSize(2);
        assertThat(dp.services()).extracting(s -> s.frontend().toString())
                .containsExactly("10.96.0.10:80/TCP", "[fd00:96::a]:80/TCP");
    }

    @Test
    void aFrontendWithoutBackendsAnswersTcpWithARstAndUdpWithAnIcmpv6PortUnreachable() {
        dp.applyServices(List.of(svc(VIP_EMPTY, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM),
                svc(VIP_EMPTY, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM)));
        // TCP: a RST from the service address (RFC 793 3.4: ack = the SYN's seq + 1), turned around
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, VIP_EMPTY, 80, TCP_SYN);
        syn.payload = "data that is cut".getBytes();
        Packets.Spec rst = Packets.tcp(VIP_EMPTY, 80, CLIENT, 40000, Packets.TCP_RST | TCP_ACK);
        rst.seq = 0;
        rst.ack = 1000 + syn.payload.length + 1;
        rst.window = 0;
        rst.srcMac = Packets.NODE_MAC;
        rst.dstMac = Packets.POD_MAC;
        assertPacket(checked(run(Datapath.FROM_POD, syn)), TC_ACT_REDIRECT, Packets.build(rst));

        // UDP: ICMPv6 destination unreachable, port unreachable (RFC 4443 3.1: type 1 code 4), quoting
        // the datagram's IPv6 header and its first 8 bytes
        byte[] query = Packets.build(Packets.udp(CLIENT, 33000, VIP_EMPTY, 53, "query".getBytes()));
        ByteBuffer icmp = ByteBuffer.allocate(8 + 48).put((byte) 1).put((byte) 4).putShort((short) 0).putInt(0)
                .put(query, 14, 48);
        Packets.Spec unreach = Packets.raw(VIP_EMPTY, CLIENT, 58, icmp.array());
        unreach.srcMac = Packets.NODE_MAC;
        unreach.dstMac = Packets.POD_MAC;
        byte[] expected = withIcmp6Checksum(Packets.build(unreach));
        assertPacket(checked(run(Datapath.FROM_POD, query)), TC_ACT_REDIRECT, expected);

        assertThat(dp.metrics().get(Reason.REJECT_NO_BACKEND)).isEqualTo(2);
        assertThat(dp.metrics().get(Reason.DROP_NO_BACKEND_IPV6)).isZero();
        assertThat(dp.conntrack6().snapshot()).isEmpty();
    }

    /** A RST "from" the service to the client (RFC 793 3.4: the segment had an ACK, so seq = its ack, no ACK flag). */
    static byte[] rstFor(Packets.Spec segment) {
        Packets.Spec rst = Packets.tcp(segment.daddr, segment.dport, segment.saddr, segment.sport, Packets.TCP_RST);
        rst.seq = segment.ack;
        rst.ack = 0;
        rst.window = 0;
        rst.srcMac = segment.dstMac;
        rst.dstMac = segment.srcMac;
        return Packets.build(rst);
    }

    @Test
    void anEstablishedTcpFlowWhoseBackendWasRemovedGetsARstFromTheService() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080), Backend.of(B2, 8080))));
        String backend = dst6(run(Datapath.FROM_POD, Packets.tcp(CLIENT, 45000, VIP, 80, TCP_SYN)).packet());
        String survivor = backend.equals(B1) ? B2 : B1;
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(survivor, 8080))));
        Packets.Spec ack = Packets.tcp(CLIENT, 45000, VIP, 80, TCP_ACK);
        ack.ack = 5001;
        ack.payload = "request".getBytes();
        assertPacket(checked(run(Datapath.FROM_POD, ack)), TC_ACT_REDIRECT, rstFor(ack));
        assertThat(dp.metrics().get(Reason.REJECT_BACKEND_GONE)).isEqualTo(1);
        assertThat(dp.conntrack6().snapshot().keySet()).as("its client half is gone").noneMatch(k -> k.dir() == CtKey.EGRESS);
        // a new connection from the same port is a new flow to the survivor
        assertThat(dst6(run(Datapath.FROM_POD, Packets.tcp(CLIENT, 45000, VIP, 80, TCP_SYN)).packet())).isEqualTo(survivor);
    }

    @Test
    void aDeletedServicesTcpFlowGetsARstAndItsUdpFlowIsDropped() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080)),
                svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 53))));
        run(Datapath.FROM_POD, Packets.tcp(CLIENT, 46000, VIP, 80, TCP_SYN));
        run(Datapath.FROM_POD, Packets.udp(CLIENT, 46001, VIP, 53, new byte[8]));
        dp.applyServices(List.of());
        Packets.Spec ack = Packets.tcp(CLIENT, 46000, VIP, 80, TCP_ACK);
        ack.ack = 7001;
        assertPacket(checked(run(Datapath.FROM_POD, ack)), TC_ACT_REDIRECT, rstFor(ack));
        assertThat(run(Datapath.FROM_POD, Packets.udp(CLIENT, 46001, VIP, 53, new byte[8])).verdict()).isEqualTo(TC_ACT_SHOT);
        // a new connection to the old address is no flow of the Service: left alone
        byte[] syn = Packets.build(Packets.tcp(CLIENT, 46002, VIP, 80, TCP_SYN));
        assertPacket(run(Datapath.FROM_POD, syn), TC_ACT_UNSPEC, syn);
        assertThat(dp.metrics().get(Reason.REJECT_SERVICE_GONE)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.DROP_SERVICE_GONE)).isEqualTo(1);
    }

    /** An ICMPv6 error (type, code, 4-byte field) from {@code from} to {@code to} quoting {@code quoted}'s IPv6 packet. */
    static byte[] icmp6Error(String from, String to, int type, int code, int field, byte[] quoted) {
        ByteBuffer icmp = ByteBuffer.allocate(8 + quoted.length - 14).put((byte) type).put((byte) code).putShort((short) 0)
                .putInt(field).put(quoted, 14, quoted.length - 14);
        Packets.Spec e = Packets.raw(from, to, 58, icmp.array());
        return withIcmp6Checksum(Packets.build(e));
    }

    @Test
    void icmpv6ErrorsAboutATranslatedFlowReachTheClientQuotingTheService() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080))));
        run(Datapath.FROM_POD, Packets.tcp(CLIENT, 47000, VIP, 80, TCP_SYN));
        Packets.Spec sent = Packets.tcp(CLIENT, 47000, B1, 8080, TCP_ACK | TCP_PSH);
        sent.payload = "a segment too big for a link on the way".getBytes();
        byte[] asSeen = Packets.build(sent);
        Packets.Spec meant = sent.copy();
        meant.daddr = VIP;
        meant.dport = 80;
        byte[] asMeant = Packets.build(meant);
        // the quoted TCP checksum stays as it was (receivers do not check it), as for IPv4
        System.arraycopy(asSeen, 14 + 40 + 16, asMeant, 14 + 40 + 16, 2);

        // a router's Packet Too Big (RFC 4443 3.2, MTU 1280): the quote goes back to the service
        String router = "fd00:10:244:ff::1";
        assertPacket(checked(run(Datapath.TO_POD, icmp6Error(router, CLIENT, 2, 0, 1280, asSeen))), TC_ACT_OK,
                icmp6Error(router, CLIENT, 2, 0, 1280, asMeant));
        // the backend's own port unreachable: from the service address too
        assertPacket(checked(run(Datapath.TO_POD, icmp6Error(B1, CLIENT, 1, 4, 0, asSeen))), TC_ACT_OK,
                icmp6Error(VIP, CLIENT, 1, 4, 0, asMeant));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(2);

        // an error about no translated flow is left alone
        byte[] other = icmp6Error(router, CLIENT, 2, 0, 1280, Packets.build(Packets.tcp(CLIENT, 47001, B1, 8080, TCP_ACK)));
        assertPacket(run(Datapath.TO_POD, other), TC_ACT_UNSPEC, other);
    }

    /** The frame with its ICMPv6 checksum (RFC 4443 2.3: over the IPv6 pseudo-header) filled in. */
    static byte[] withIcmp6Checksum(byte[] frame) {
        int l4 = 14 + 40;
        int len = frame.length - l4;
        long sum = 58 + len;
        for (int i = 0; i < 32; i += 2) {
            sum += ((frame[14 + 8 + i] & 0xff) << 8) | (frame[14 + 8 + i + 1] & 0xff);
        }
        ByteBuffer.wrap(frame).putShort(l4 + 2, (short) Packets.checksum(frame, l4, len, (int) sum));
        return frame;
    }

    @Test
    void aRemovedBackendsFlowMovesToASurvivorAndOthersStay() {
        dp.applyServices(List.of(svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 53), Backend.of(B2, 53))));
        String[] backendOf = new String[40];
        for (int i = 0; i < 40; i++) {
            backendOf[i] = dst6(run(Datapath.FROM_POD, Packets.udp(CLIENT, 30000 + i, VIP, 53, new byte[8])).packet());
        }
        dp.applyServices(List.of(svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B2, 53))));
        for (int i = 0; i < 40; i++) {
            TestRun.Result r = checked(run(Datapath.FROM_POD, Packets.udp(CLIENT, 30000 + i, VIP, 53, new byte[8])));
            assertThat(dst6(r.packet())).isEqualTo(B2);
        }
        assertThat(Arrays.asList(backendOf)).contains(B1, B2);
    }

    @Test
    void maglevPicksTheSameBackendWithoutConntrack() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.MAGLEV,
                Backend.of(B1, 8080), Backend.of(B2, 8080), Backend.of(B3, 8080))));
        Set<String> spread = new HashSet<>();
        for (int port = 42000; port < 42040; port++) {
            byte[] syn = Packets.build(Packets.tcp(CLIENT, port, VIP, 80, TCP_SYN));
            String first = dst6(run(Datapath.FROM_POD, syn).packet());
            dp.conntrack6().deleteAll(List.copyOf(dp.conntrack6().snapshot().keySet()));
            assertThat(dst6(run(Datapath.FROM_POD, syn).packet())).as("the table, not conntrack, decides").isEqualTo(first);
            spread.add(first);
        }
        assertThat(spread).containsExactlyInAnyOrder(B1, B2, B3);
    }

    @Test
    void expiredIpv6EntriesAreCollected() {
        dp.applyServices(List.of(svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 53))));
        run(Datapath.FROM_POD, Packets.udp(CLIENT, 30000, VIP, 53, new byte[8]));
        assertThat(dp.conntrack6().snapshot()).hasSize(2);
        dp.conntrack6().snapshot().forEach((k, e) -> dp.conntrack6().put(k,
                new io.gannet.bpf.maps.CtEntry(e.backendId(), 0, e.created(), e.revNatIndex(), e.seen(), e.flags())));
        assertThat(dp.collectGarbage()).isEqualTo(2);
        assertThat(dp.conntrack6().snapshot()).isEmpty();
    }

    @Test
    void sessionAffinityKeepsAClientsNewFlowsOnOneBackendUntilTheTimeout() {
        dp.applyServices(List.of(new ServiceSpec("test/sticky", Frontend.of(VIP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                List.of(Backend.of(B1, 8080), Backend.of(B2, 8080), Backend.of(B3, 8080)), 30)));
        assertThat(dp.services().getFirst().affinityTimeoutSeconds()).isEqualTo(30);
        String first = dst6(checked(run(Datapath.FROM_POD, Packets.tcp(CLIENT, 43000, VIP, 80, TCP_SYN))).packet());
        for (int port = 43001; port < 43030; port++) {
            assertThat(dst6(run(Datapath.FROM_POD, Packets.tcp(CLIENT, port, VIP, 80, TCP_SYN)).packet()))
                    .as("new flow from port %d", port).isEqualTo(first);
        }
        assertThat(dp.metrics().get(Reason.NAT_AFFINITY)).isEqualTo(29);
        Set<String> spread = new HashSet<>();
        for (int c = 1; c < 60; c++) {
            spread.add(dst6(run(Datapath.FROM_POD, Packets.tcp("fd00:10:244:1::" + Integer.toHexString(0x100 + c), 43000,
                    VIP, 80, TCP_SYN)).packet()));
        }
        assertThat(spread).as("other clients are still spread").hasSize(3);

        // an entry older than the timeout no longer binds: age it by 31 s
        io.gannet.bpf.maps.TypedMap<io.gannet.bpf.maps.AffinityKey6, io.gannet.bpf.maps.AffinityValue> aff =
                new io.gannet.bpf.maps.TypedMap<>(io.gannet.bpf.libbpf.BpfMap.openPinned(PinLayout.mapsDir(pinRoot)
                        .resolve(io.gannet.bpf.maps.DpMaps.AFFINITY6.name()).toString(), 20, 8, 0),
                        io.gannet.bpf.maps.AffinityKey6.LAYOUT, io.gannet.bpf.maps.AffinityValue.LAYOUT);
        Ipv6 client = Ipv6.parse(CLIENT);
        io.gannet.bpf.maps.AffinityKey6 k = new io.gannet.bpf.maps.AffinityKey6(client.hi(), client.lo(),
                dp.services().getFirst().revNatIndex());
        io.gannet.bpf.maps.AffinityValue v = aff.get(k);
        assertThat(v).isNotNull();
        Set<String> after = new HashSet<>();
        for (int port = 44000; port < 44060; port++) {
            aff.put(k, new io.gannet.bpf.maps.AffinityValue(v.backendId(), v.lastUsed() - 31));
            after.add(dst6(run(Datapath.FROM_POD, Packets.tcp(CLIENT, port, VIP, 80, TCP_SYN)).packet()));
        }
        assertThat(after).as("expired affinity: backends picked afresh").hasSize(3);
    }

    @Test
    void truncatedIpv6HeadersAreDroppedAsMalformed() {
        byte[] full = Packets.build(Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN));
        byte[] cut = Arrays.copyOf(full, 14 + 40 + 10); // half a TCP header
        ByteBuffer.wrap(cut).putShort(14 + 4, (short) 10);
        assertThat(run(Datapath.FROM_POD, cut).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_MALFORMED)).isEqualTo(1);
    }

    /** A UDP payload of n bytes, each its index (so a fragment's bytes are told apart). */
    static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void aFragmentedUdpDatagramToAServiceIsDnatedFragmentByFragmentAndItsFragmentedReplyReverseNated() {
        dp.applyServices(List.of(svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B2, 5353))));
        // RFC 8200 4.5: 8 bytes of UDP header and 24 of payload in the first fragment, 40 in the second
        Packets.Spec q = Packets.udp(CLIENT, 33000, VIP, 53, payload(64));
        Packets.Spec e = q.copy();
        e.daddr = B2;
        e.dport = 5353;
        byte[][] in = Packets.fragments6(q, 0x0badcafe, 32);
        byte[][] out = Packets.fragments6(e, 0x0badcafe, 32);
        // the first: address, port and the datagram's checksum (over all of it) rewritten; built
        // independently from the whole datagram to the backend, so the bytes compare exactly
        assertPacket(run(Datapath.FROM_POD, in[0]), TC_ACT_OK, out[0]);
        // its record, keyed by the addresses it arrived with and the identification
        try (BpfMap frag6 = BpfMap.openPinnedAsIs(PinLayout.mapsDir(pinRoot).resolve(DpMaps.FRAG6).toString())) {
            byte[] key = frag6.nextKey(null);
            assertThat(key).isNotNull();
            assertThat(frag6.nextKey(key)).as("one record").isNull();
            assertThat(Arrays.copyOfRange(key, 0, 16)).isEqualTo(Ipv6.parse(CLIENT).bytes());
            assertThat(Arrays.copyOfRange(key, 16, 32)).isEqualTo(Ipv6.parse(VIP).bytes());
            assertThat(ByteBuffer.wrap(key, 32, 4).getInt()).isEqualTo(0x0badcafe);
        }
        // the second, no UDP header: the same backend address
        assertPacket(run(Datapath.FROM_POD, in[1]), TC_ACT_OK, out[1]);
        assertThat(dp.metrics().get(Reason.NAT_FRAGMENT)).isEqualTo(1);

        // a later fragment whose first fragment was not seen (another identification) passes untouched
        byte[] stray = Packets.fragments6(q, 0x0badcaff, 32)[1];
        assertPacket(run(Datapath.FROM_POD, stray), TC_ACT_UNSPEC, stray);
        assertThat(dp.metrics().get(Reason.PASS_FRAGMENT)).isEqualTo(1);

        // the backend's fragmented answer, on the client's to_pod: both fragments from the service again
        Packets.Spec answer = Packets.udp(B2, 5353, CLIENT, 33000, payload(48));
        Packets.Spec back = answer.copy();
        back.saddr = VIP;
        back.sport = 53;
        byte[][] ain = Packets.fragments6(answer, 77, 16);
        byte[][] aout = Packets.fragments6(back, 77, 16);
        assertPacket(run(Datapath.TO_POD, ain[0]), TC_ACT_OK, aout[0]);
        assertPacket(run(Datapath.TO_POD, ain[1]), TC_ACT_OK, aout[1]);
        assertThat(dp.metrics().get(Reason.NAT_FRAGMENT)).isEqualTo(2);
        assertThat(dp.conntrack6().snapshot().keySet()).extracting(CtKey6::dir).containsExactlyInAnyOrder(CtKey.EGRESS, CtKey.REPLY);
    }

    @Test
    void anAtomicFragmentIsTranslatedAsAWholeDatagram() {
        dp.applyServices(List.of(svc(VIP, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM, Backend.of(B2, 5353))));
        // RFC 6946: a Fragment header with offset 0 and no M flag: the whole datagram
        Packets.Spec q = Packets.udp(CLIENT, 33000, VIP, 53, payload(16));
        q.ext6 = new int[] {44};
        Packets.Spec e = q.copy();
        e.daddr = B2;
        e.dport = 5353;
        assertPacket(run(Datapath.FROM_POD, q), TC_ACT_OK, Packets.build(e));
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_FRAGMENT)).isZero();
    }

    @Test
    void tcpBehindHopByHopRoutingAndDestinationOptionsHeadersIsTranslatedBothWays() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080))));
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN);
        syn.ext6 = new int[] {60};
        Packets.Spec e = syn.copy();
        e.daddr = B1;
        e.dport = 8080;
        // the TCP checksum is at its shifted offset: the expected frame is built with a right one
        assertPacket(run(Datapath.FROM_POD, syn), TC_ACT_OK, Packets.build(e));

        Packets.Spec synAck = Packets.tcp(B1, 8080, CLIENT, 40000, TCP_SYN | TCP_ACK);
        synAck.ext6 = new int[] {0, 43, 60};
        Packets.Spec back = synAck.copy();
        back.saddr = VIP;
        back.sport = 80;
        assertPacket(run(Datapath.TO_POD, synAck), TC_ACT_OK, Packets.build(back));
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isEqualTo(1);
        assertThat(dp.metrics().get(Reason.NAT_REVERSE)).isEqualTo(1);
    }

    @Test
    void aPacketWithExtensionHeadersToAFrontendWithoutBackendsIsDroppedNotAnsweredWithAMisbuiltRefusal() {
        dp.applyServices(List.of(svc(VIP_EMPTY, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM),
                svc(VIP_EMPTY, 53, Protocol.UDP, ServiceSpec.Algorithm.RANDOM)));
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, VIP_EMPTY, 80, TCP_SYN);
        syn.ext6 = new int[] {60};
        assertThat(run(Datapath.FROM_POD, syn).verdict()).isEqualTo(TC_ACT_SHOT);
        byte[] first = Packets.fragments6(Packets.udp(CLIENT, 33000, VIP_EMPTY, 53, payload(40)), 5, 16)[0];
        assertThat(run(Datapath.FROM_POD, first).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_NO_BACKEND)).isEqualTo(2);
        assertThat(dp.metrics().get(Reason.REJECT_NO_BACKEND)).isZero();
    }

    @Test
    void unknownNextHeadersAhEspAndLongerChainsPassUntranslated() {
        dp.applyServices(List.of(svc(VIP, 80, Protocol.TCP, ServiceSpec.Algorithm.RANDOM, Backend.of(B1, 8080))));
        for (int[] chain : new int[][] {{51}, {60, 50}, {253}, {0, 60, 43, 60, 60}}) {
            Packets.Spec syn = Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN);
            syn.ext6 = chain;
            byte[] in = Packets.build(syn);
            assertPacket(run(Datapath.FROM_POD, in), TC_ACT_UNSPEC, in);
        }
        assertThat(dp.metrics().get(Reason.NAT_NEW)).isZero();
        // on a pod device each is another protocol to conntrack and policy (AH 51, ESP 50, 253, the
        // fifth header 60 of the longer chain), tracked by its address pair
        assertThat(dp.conntrack6().snapshot().keySet()).extracting(CtKey6::proto).containsExactlyInAnyOrder(51, 50, 253, 60);
        assertThat(dp.conntrack6().snapshot().keySet()).extracting(CtKey6::dir).containsOnly(CtKey.PLAIN);
    }

    @Test
    void aTruncatedExtensionHeaderIsDroppedAsMalformed() {
        Packets.Spec syn = Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN);
        syn.ext6 = new int[] {60};
        byte[] cut = Arrays.copyOf(Packets.build(syn), 14 + 40 + 1);
        ByteBuffer.wrap(cut).putShort(14 + 4, (short) 1);
        assertThat(run(Datapath.FROM_POD, cut).verdict()).isEqualTo(TC_ACT_SHOT);
        assertThat(dp.metrics().get(Reason.DROP_MALFORMED)).isEqualTo(1);
    }
}
