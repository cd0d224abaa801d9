package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.TestRun;
import io.gannet.bpf.maps.Reason;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ICMP errors about translated flows are reverse-translated on their way back to the client
 * (golden packets): PMTUD's fragmentation-needed from a router between node and backend, and
 * a port unreachable from the backend itself (outer source becomes the service address too).
 */
class IcmpErrorTest extends DatapathPerTest {
    static final String CLIENT = "10.1.0.5";
    static final String VIP = "10.96.0.10";
    static final String B1 = "10.2.0.7";
    static final String ROUTER = "10.9.9.1";

    @BeforeEach
    void webAndDns() {
        dp.applyServices(List.of(
                new ServiceSpec("t/web", Frontend.of(VIP, 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 8080))),
                new ServiceSpec("t/dns", Frontend.of(VIP, 53, Protocol.UDP), false, ServiceSpec.Algorithm.RANDOM,
                        List.of(Backend.of(B1, 5353)))));
    }

    /** An ICMP error (type, code, 4 bytes rest) from src to dst quoting {@code quoted} (IP header + 8 bytes). */
    static byte[] icmpError(String src, String dst, int type, int code, int rest, byte[] quoted) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + quoted.length);
        b.put(Packets.POD_MAC).put(Packets.NODE_MAC).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + quoted.length)).putShort((short) 7).putShort((short) 0)
                .put((byte) 64).put((byte) 1).putShort((short) 0).putInt(Ipv4.parse(src)).putInt(Ipv4.parse(dst));
        b.putShort(14 + 10, (short) Packets.checksum(b.array(), 14, 20, 0));
        b.put((byte) type).put((byte) code).putShort((short) 0).putInt(rest);
        b.put(quoted);
        b.putShort(34 + 2, (short) Packets.checksum(b.array(), 34, 8 + quoted.length, 0));
        return b.array();
    }

    static byte[] quote(byte[] frame) {
        return Arrays.copyOfRange(frame, 14, 14 + 28);
    }

    @Test
    void fragmentationNeededFromARouterIsReverseTranslated() {
        byte[] syn = Packets.build(Packets.tcp(CLIENT, 40000, VIP, 80, TCP_SYN));
        byte[] dnated = run(Datapath.FROM_POD, syn).packet();
        assertThat(ByteBuffer.wrap(dnated).getInt(30)).isEqualTo(Ipv4.parse(B1));
        // RFC 1191: type 3 code 4, next-hop MTU 1400 in the low 16 bits of "rest"
        byte[] in = icmpError(ROUTER, CLIENT, 3, 4, 1400, quote(dnated));
        byte[] expected = icmpError(ROUTER, CLIENT, 3, 4, 1400, quote(syn));
        TestRun.Result r = run(Datapath.TO_POD, in);
        assertThat(r.verdict()).isZero();
        assertThat(Packets.hex(r.packet())).isEqualTo(Packets.hex(expected));
        assertThat(dp.metrics().get(Reason.NAT_ICMP_ERROR)).isEqualTo(1);
        // the same error again (already translated: it quotes the service) is left alone
        TestRun.Result again = run(Datapath.TO_POD, expected);
        assertThat(again.verdict()).isEqualTo(-1);
        assertThat(again.packet()).isEqualTo(expected);
    }

    @Test
    void portUnreachableFromTheBackendComesFromTheService() {
        byte[] q = Packets.build(Packets.udp(CLIENT, 33000, VIP, 53, new byte[8]));
        byte[] dnated = run(Datapath.FROM_POD, q).packet();
        byte[] in = icmpError(B1, CLIENT, 3, 3, 0, quote(dnated));
        TestRun.Result r = run(Datapath.FROM_POD, in); // leaving the backend pod
        byte[] out = r.packet();
        ByteBuffer o = ByteBuffer.wrap(out);
        assertThat(r.verdict()).isZero();
        assertThat(o.getInt(14 + 12)).as("outer source").isEqualTo(Ipv4.parse(VIP));
        assertThat(o.getInt(42 + 16)).as("quoted destination").isEqualTo(Ipv4.parse(VIP));
        assertThat(Short.toUnsignedInt(o.getShort(42 + 20 + 2))).as("quoted destination port").isEqualTo(53);
        assertThat(Packets.checksum(out, 14, 20, 0) & 0xffff).as("outer IP checksum verifies").isIn(0, 0xffff);
        assertThat(Packets.checksum(out, 42, 20, 0) & 0xffff).as("quoted IP checksum verifies").isIn(0, 0xffff);
        assertThat(Packets.checksum(out, 34, out.length - 34, 0) & 0xffff).as("ICMP checksum verifies").isIn(0, 0xffff);
    }

    @Test
    void errorsAboutOtherFlowsAndOtherIcmpAreNotGannets() {
        byte[] other = icmpError(ROUTER, CLIENT, 11, 0, 0, quote(Packets.build(Packets.tcp(CLIENT, 40001, "10.2.0.99", 80, TCP_SYN))));
        TestRun.Result r = run(Datapath.TO_POD, other);
        assertThat(r.verdict()).isEqualTo(-1);
        assertThat(r.packet()).isEqualTo(other);
    }
}
