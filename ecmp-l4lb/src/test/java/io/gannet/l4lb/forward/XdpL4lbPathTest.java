package io.gannet.l4lb.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.SharedDatapath;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.MaglevTable;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.libbpf.BpfProgram;
import io.gannet.bpf.maps.Reason;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.WeightedBackend;
import io.gannet.testsupport.Requirements;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Golden packets through the L4LB's two paths (BPF_PROG_TEST_RUN): a VIP programmed as
 * {@link DatapathForwarding} programs it (its {@link VipTable}, with one backend failed over),
 * a client's packets through {@code xdp_from_host} on one datapath and through {@code from_host}
 * at TC on another come out as the same frame: the same backend for every 5-tuple, the same
 * DNAT, the same checksums. On one datapath the two paths share conntrack: a flow whose first
 * packet XDP translated stays on its backend at TC after the table moved its slot, and the
 * other way round. The same for an IPv6 VIP (lib/xdp_lb6.h beside lib/lb6.h).
 */
class XdpL4lbPathTest {
    static final int XDP_PASS = 2;
    static final String VIP = "203.0.113.10";
    static final Frontend FE = Frontend.of(VIP, 80, Protocol.TCP);

    /** Two datapaths of their own, each loaded once for the class (SharedDatapath): a test opens one or both. */
    private static final SharedDatapath[] LOADED = new SharedDatapath[2];
    private final List<Datapath> dps = new ArrayList<>();

    /** The next of the class's two datapaths, reset to what a fresh open gives. */
    private Datapath open() {
        Requirements.requireBpf();
        int i = dps.size();
        if (LOADED[i] == null) {
            LOADED[i] = SharedDatapath.load(pin -> DatapathOptions.defaults().withPinRoot(pin));
        }
        Datapath dp = LOADED[i].fresh();
        dps.add(dp);
        return dp;
    }

    @BeforeEach
    void check() {
        Requirements.requireBpf();
    }

    @AfterEach
    void close() {
        dps.forEach(Datapath::close);
    }

    @AfterAll
    static void unload() {
        for (int i = 0; i < LOADED.length; i++) {
            if (LOADED[i] != null) {
                LOADED[i].close();
                LOADED[i] = null;
            }
        }
    }

    static List<WeightedBackend> backends(int n) {
        List<WeightedBackend> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new WeightedBackend(Backend.of("10.92.0." + (21 + i), 8080), i == 2 ? 2 : 1));
        }
        return out;
    }

    /** Programs the VIP over {@code configured} with {@code healthy} as the L4LB does; returns the table. */
    static VipTable program(Datapath dp, List<WeightedBackend> configured, Set<Backend> healthy) {
        VipTable t = VipTable.build(configured, healthy, dp.maglevTableSize());
        List<WeightedBackend> up = configured.stream().filter(b -> healthy.contains(b.backend())).toList();
        Forwarding.ForwardedVip v = new Forwarding.ForwardedVip("shop/web:http", FE, up, t);
        Map<VipTable, MaglevTable> converted = new IdentityHashMap<>();
        dp.applyServices(DatapathForwarding.specs(List.of(v), Map.of(), converted));
        return t;
    }

    static Set<Backend> all(List<WeightedBackend> bs) {
        Set<Backend> s = new HashSet<>();
        bs.forEach(b -> s.add(b.backend()));
        return s;
    }

    @Test
    void xdpAndTcPickTheSameBackendAndWriteTheSameFrameForEveryFlow() {
        Datapath a = open();
        Datapath b = open();
        List<WeightedBackend> configured = backends(5);
        Set<Backend> healthy = all(configured);
        Backend down = configured.get(1).backend();
        healthy.remove(down); // its entries failed over by the L4LB's table, not by Maglev
        VipTable ta = program(a, configured, healthy);
        VipTable tb = program(b, configured, healthy);
        assertThat(ta.fingerprint()).isEqualTo(tb.fingerprint());
        BpfProgram xdp = a.program(Datapath.XDP_FROM_HOST);
        BpfProgram tc = b.program(Datapath.FROM_HOST);
        Map<String, Integer> spread = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            byte[] in = tcp("198.18." + (i % 7) + "." + (1 + i % 250), 20000 + i, VIP, 80, SYN);
            var x = xdp.testRun(in, 1);
            var t = tc.testRun(in, 1);
            assertThat(x.verdict()).isEqualTo(XDP_PASS);
            String be = dst(x.packet());
            assertThat(hex(x.packet())).as("flow %d: XDP and TC write the same frame", i).isEqualTo(hex(t.packet()));
            assertThat(hex(x.packet())).as("flow %d: the golden DNAT to %s", i, be)
                    .isEqualTo(hex(tcp("198.18." + (i % 7) + "." + (1 + i % 250), 20000 + i, be, 8080, SYN)));
            spread.merge(be, 1, Integer::sum);
        }
        assertThat(spread.keySet()).as("every healthy backend, never the failed one")
                .containsExactlyInAnyOrder("10.92.0.21", "10.92.0.23", "10.92.0.24", "10.92.0.25");
        assertThat(spread.get("10.92.0.23")).as("weight 2").isGreaterThan(spread.get("10.92.0.21"));
        assertThat(a.metrics().get(Reason.NAT_NEW)).isEqualTo(400);
        assertThat(b.metrics().get(Reason.NAT_NEW)).isEqualTo(400);
    }

    @Test
    void bothPathsKeepAnEstablishedFlowOnItsBackendWhicheverSawItsFirstPacket() {
        Datapath a = open();
        Datapath fresh = open();
        List<WeightedBackend> four = backends(4);
        program(a, four, all(four));
        BpfProgram xdp = a.program(Datapath.XDP_FROM_HOST);
        BpfProgram tc = a.program(Datapath.FROM_HOST);
        // first packets: even flows through XDP, odd ones through TC
        String[] first = new String[300];
        for (int i = 0; i < first.length; i++) {
            byte[] syn = tcp("198.19.0." + (1 + i % 250), 30000 + i, VIP, 80, SYN);
            first[i] = dst((i % 2 == 0 ? xdp : tc).testRun(syn, 1).packet());
        }
        // the Service gains a backend: Maglev moves some slots; a fresh host sends those flows elsewhere
        List<WeightedBackend> five = backends(5);
        program(a, five, all(five));
        program(fresh, five, all(five));
        BpfProgram freshXdp = fresh.program(Datapath.XDP_FROM_HOST);
        int moved = 0;
        for (int i = 0; i < first.length; i++) {
            byte[] ack = tcp("198.19.0." + (1 + i % 250), 30000 + i, VIP, 80, ACK);
            String now = dst(freshXdp.testRun(tcp("198.19.0." + (1 + i % 250), 30000 + i, VIP, 80, SYN), 1).packet());
            if (!now.equals(first[i])) {
                moved++;
            }
            // the next packet through the other path: conntrack keeps the backend
            BpfProgram other = i % 2 == 0 ? tc : xdp;
            var r = other.testRun(ack, 1);
            assertThat(dst(r.packet())).as("flow %d, first packet through %s", i, i % 2 == 0 ? "XDP" : "TC").isEqualTo(first[i]);
            assertThat(hex(r.packet())).isEqualTo(hex(tcp("198.19.0." + (1 + i % 250), 30000 + i, first[i], 8080, ACK)));
        }
        assertThat(moved).as("flows whose slot moved (kept on their backend by conntrack only)").isPositive();
        // the backend's reply through XDP is restored to the VIP as TC restores it
        byte[] reply = tcp(first[0], 8080, "198.19.0.1", 30000, ACK);
        var rx = xdp.testRun(reply, 1);
        assertThat(hex(rx.packet())).isEqualTo(hex(tcp(VIP, 80, "198.19.0.1", 30000, ACK)));
    }

    @Test
    void anIpv6VipTakesTheSamePathInXdpAsAtTc() throws Exception {
        Datapath a = open();
        Datapath b = open();
        Frontend fe6 = Frontend.of("2001:db8:113::10", 80, Protocol.TCP);
        List<WeightedBackend> configured = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            configured.add(new WeightedBackend(Backend.of("fd00:92::" + (21 + i), 8080), 1));
        }
        Set<Backend> healthy = all(configured);
        healthy.remove(configured.get(0).backend());
        for (Datapath dp : List.of(a, b)) {
            VipTable t = VipTable.build(configured, healthy, dp.maglevTableSize());
            List<WeightedBackend> up = configured.stream().filter(x -> healthy.contains(x.backend())).toList();
            dp.applyServices(DatapathForwarding.specs(List.of(new Forwarding.ForwardedVip("shop/web6:http", fe6, up, t)), Map.of(),
                    new IdentityHashMap<>()));
        }
        BpfProgram xdp = a.program(Datapath.XDP_FROM_HOST);
        BpfProgram tc = b.program(Datapath.FROM_HOST);
        Set<String> spread = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            String client = "2001:db8:90::" + Integer.toHexString(1 + i % 97);
            byte[] in = tcp6(client, 20000 + i, "2001:db8:113::10", 80, SYN);
            var x = xdp.testRun(in, 1);
            assertThat(x.verdict()).isEqualTo(XDP_PASS);
            String be = dst6(x.packet());
            assertThat(hex(x.packet())).as("flow %d: XDP and TC write the same frame", i).isEqualTo(hex(tc.testRun(in, 1).packet()));
            assertThat(hex(x.packet())).as("flow %d: the golden DNAT to %s", i, be)
                    .isEqualTo(hex(tcp6(client, 20000 + i, be, 8080, SYN)));
            spread.add(be);
        }
        assertThat(spread).as("every healthy backend, never the failed one")
                .containsExactlyInAnyOrder(addr6("fd00:92::22"), addr6("fd00:92::23"), addr6("fd00:92::24"));
    }

    // --- frames: Ethernet + IPv6 + TCP (20 bytes) + 3 bytes of payload, the checksum over the pseudo-header

    static byte[] tcp6(String src, int sport, String dst, int dport, int flags) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 20 + 3);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x86dd);
        b.putInt(0x60000000).putShort((short) 23).put((byte) 6).put((byte) 64);
        b.put(java.net.InetAddress.getByName(src).getAddress()).put(java.net.InetAddress.getByName(dst).getAddress());
        b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(flags == SYN ? 0 : 2000)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(new byte[] {'a', 'b', 'c'});
        byte[] f = b.array();
        long pseudo = sum(f, 22, 32, 0) + 23 + 6;
        int tcpSum = fold(sum(f, 54, 23, pseudo));
        f[70] = (byte) (tcpSum >> 8);
        f[71] = (byte) tcpSum;
        return f;
    }

    static String dst6(byte[] f) throws Exception {
        return java.net.InetAddress.getByAddress(java.util.Arrays.copyOfRange(f, 38, 54)).getHostAddress();
    }

    static String addr6(String a) throws Exception {
        return java.net.InetAddress.getByName(a).getHostAddress();
    }

    // --- frames: Ethernet + IPv4 (IHL 5) + TCP (20 bytes) + 3 bytes of payload, checksums computed

    static final int SYN = 0x02;
    static final int ACK = 0x10;

    static byte[] tcp(String src, int sport, String dst, int dport, int flags) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + 3);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 43).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 6).putShort((short) 0).put(ip(src)).put(ip(dst));
        b.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(flags == SYN ? 0 : 2000)
                .put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(new byte[] {'a', 'b', 'c'});
        byte[] f = b.array();
        int ipSum = fold(sum(f, 14, 20, 0));
        f[24] = (byte) (ipSum >> 8);
        f[25] = (byte) ipSum;
        long pseudo = sum(f, 26, 8, 0) + 6 + 23;
        int tcpSum = fold(sum(f, 34, 23, pseudo));
        f[50] = (byte) (tcpSum >> 8);
        f[51] = (byte) tcpSum;
        return f;
    }

    private static byte[] ip(String a) {
        String[] p = a.split("\\.");
        return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]), (byte) Integer.parseInt(p[2]),
                (byte) Integer.parseInt(p[3])};
    }

    private static long sum(byte[] f, int off, int len, long s) {
        for (int i = 0; i < len; i += 2) {
            s += ((f[off + i] & 0xff) << 8) | (i + 1 < len ? f[off + i + 1] & 0xff : 0);
        }
        return s;
    }

    private static int fold(long s) {
        while ((s >> 16) != 0) {
            s = (s & 0xffff) + (s >> 16);
        }
        return (int) (~s & 0xffff);
    }

    static String dst(byte[] f) {
        return (f[30] & 0xff) + "." + (f[31] & 0xff) + "." + (f[32] & 0xff) + "." + (f[33] & 0xff);
    }

    static String hex(byte[] f) {
        StringBuilder s = new StringBuilder();
        for (byte x : f) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
