package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.run.L4lbHostBed.Connection;
import io.gannet.agent.run.L4lbHostBed.Family;
import io.gannet.bpf.maps.Reason;
import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An L4LB host as a user runs it with the XDP fast path: {@code gannet run --xdp generic} (role
 * l4lb, {@code --services-dir}, {@code --host-device eth0}, a veth), IPv4 and IPv6
 * ({@link L4lbHostBed}):
 * <pre>
 *   client 10.96.0.2 --eth0-- 10.96.0.1 lb1 10.97.0.1 --eth1-- be1 10.97.0.21:8080 (HTTP), :9090 (echo)
 *                     (VIP 203.0.113.10 routed to lb1)
 *   client fd00:96::2 --eth0-- fd00:96::1 lb1 fd00:97::1 --eth1-- be1 [fd00:97::21]:8080, :9090
 *                     (VIP 2001:db8:113::10/128 routed to lb1)
 * </pre>
 * Proves: the uplink carries Gannet's generic XDP program; {@code show vips} says the VIP is
 * served in XDP; the client's connections to the VIP reach the backend and are answered from
 * the VIP (the kernel's masquerade towards the backend and the TC reverse NAT still apply to
 * what XDP translated); every new flow is counted once (NAT_NEW), and {@code from_host} at TC
 * sees the client's packets already translated (PASS_NO_SERVICE; translated at TC they would count
 * as NAT_NEW / NAT_CT_HIT there instead). A connection opened while TC alone served goes on
 * through XDP after a restart with {@code --xdp} (IPv4), and one opened through XDP goes on through
 * TC after a restart without it (the XDP program detached, {@code show vips} says "tc"): one
 * conntrack for both paths.
 */
class L4lbXdpTest {
    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    private static void require() {
        Requirements.requireNetns();
        Requirements.requireBpf();
        Requirements.requireCommand("nft");
        Requirements.requireCommand("python3");
    }

    @Test
    void vipFlowsAreTranslatedInGenericXdpOnTheUplinkAndServedEndToEnd() throws Exception {
        require();
        L4lbHostBed lb = new L4lbHostBed(bed, dir, "l4lbxdp4", Family.IPV4);
        String fe = lb.family.frontend(80);
        String echoFe = lb.family.frontend(7000);

        // --- TC alone first: a long-lived connection opened through from_host
        lb.restart();
        lb.awaitVip(fe, v -> v.path("healthy").asText().equals("1/1"));
        lb.awaitVip(echoFe, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(lb.vip(fe).path("datapath").asText()).isEqualTo("tc");
        Connection viaTc = lb.connect();
        assertThat(viaTc.say("one")).isEqualTo("echo one");

        // --- gannet run --xdp generic on the L4LB host
        Connection viaXdp = servedInXdp(lb, 21000);
        long passed = lb.counter(Reason.PASS_NO_SERVICE);
        assertThat(viaTc.say("two")).as("the connection TC opened goes on through XDP: the same conntrack").isEqualTo("echo two");
        assertThat(lb.counter(Reason.PASS_NO_SERVICE) - passed).as("its packet translated by XDP before from_host")
                .isGreaterThanOrEqualTo(1);

        // --- started again without --xdp: detached, TC alone serves, both connections go on
        servedAtTcAgain(lb, viaXdp, 22000);
        assertThat(viaTc.say("five")).isEqualTo("echo five");
    }

    /**
     * The IPv6 counterpart: an IPv6 VIP (/128) with an IPv6 backend through {@code xdp_from_host}'s
     * IPv6 path (bpf lib/xdp_lb6.h) on the daemon's own uplink, as {@code XdpL4lbPathTest} does with
     * golden packets.
     */
    @Test
    void ipv6VipFlowsAreTranslatedInGenericXdpOnTheUplinkAndServedEndToEnd() throws Exception {
        require();
        L4lbHostBed lb = new L4lbHostBed(bed, dir, "l4lbxdp6", Family.IPV6);
        Connection viaXdp = servedInXdp(lb, 23000);
        servedAtTcAgain(lb, viaXdp, 24000);
    }

    /**
     * (Re)starts the host with {@code --xdp generic}: the uplink carries the program, {@code show
     * vips} names the path, 10 connections from source port {@code from} on are translated in XDP
     * (one NAT_NEW each, their packets reach TC translated), and a long-lived connection is opened
     * through XDP and returned.
     */
    private static Connection servedInXdp(L4lbHostBed lb, int from) throws Exception {
        String fe = lb.family.frontend(80);
        lb.restart("--xdp", "generic");
        lb.awaitVip(fe, v -> v.path("healthy").asText().equals("1/1"));
        lb.awaitVip(lb.family.frontend(7000), v -> v.path("healthy").asText().equals("1/1"));
        assertThat(lb.lb.exec("ip", "link", "show", "dev", "eth0")).contains("xdpgeneric").contains("prog/xdp");
        assertThat(lb.vip(fe).path("datapath").asText()).startsWith("xdp generic");
        assertThat(lb.gannet().cli("show", "vips")).contains("datapath: xdp generic");
        assertThat(lb.gannet().log()).contains("VIP flows translated in XDP (generic)");

        long natNew = lb.counter(Reason.NAT_NEW);
        long passed = lb.counter(Reason.PASS_NO_SERVICE);
        assertThat(lb.flows(from, 10)).as("every connection answered from the VIP by the backend").containsOnly("be1");
        assertThat(lb.counter(Reason.NAT_NEW) - natNew).as("one new flow per connection").isEqualTo(10);
        assertThat(lb.counter(Reason.PASS_NO_SERVICE) - passed)
                .as("the client's packets reach from_host at TC already translated by XDP").isGreaterThanOrEqualTo(10 * 3);
        Connection viaXdp = lb.connect();
        passed = lb.counter(Reason.PASS_NO_SERVICE);
        assertThat(viaXdp.say("three")).isEqualTo("echo three");
        assertThat(lb.counter(Reason.PASS_NO_SERVICE) - passed).as("its packet translated by XDP before from_host")
                .isGreaterThanOrEqualTo(1);
        return viaXdp;
    }

    /**
     * Restarts the host without {@code --xdp}: the program detached, {@code show vips} says "tc",
     * the connection XDP opened goes on through TC and new connections are translated there.
     */
    private static void servedAtTcAgain(L4lbHostBed lb, Connection viaXdp, int from) throws Exception {
        String fe = lb.family.frontend(80);
        lb.restart();
        lb.awaitVip(fe, v -> v.path("healthy").asText().equals("1/1"));
        assertThat(lb.lb.exec("ip", "link", "show", "dev", "eth0")).doesNotContain("xdp");
        assertThat(lb.vip(fe).path("datapath").asText()).isEqualTo("tc");
        assertThat(viaXdp.say("four")).as("the connection XDP opened goes on through TC").isEqualTo("echo four");
        long passed = lb.counter(Reason.PASS_NO_SERVICE);
        long natNew = lb.counter(Reason.NAT_NEW);
        assertThat(lb.flows(from, 5)).containsOnly("be1");
        assertThat(lb.counter(Reason.NAT_NEW) - natNew).isEqualTo(5);
        assertThat(lb.counter(Reason.PASS_NO_SERVICE) - passed).as("translated at TC now").isLessThan(5);
    }
}
