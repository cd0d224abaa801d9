package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.run.RestartEvidence.Decision;
import io.gannet.agent.run.RestartEvidence.Evidence;
import io.gannet.agent.run.RestartMarker.Record;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.linux.NetworkNamespace;
import io.gannet.linux.netlink.RtNetlink;
import io.gannet.testsupport.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RFC 4724 restart decision from the state directory's record and, without one, from the
 * forwarding state an earlier run left (pinned VIPs, Gannet's kernel routes).
 */
class RestartEvidenceTest {
    private static final Path STATE = Path.of("/var/lib/gannet");
    private static final Path PINS = Path.of("/sys/fs/bpf/gannet");
    private static final Frontend VIP4 = Frontend.of("203.0.113.10", 80, Protocol.TCP);
    private static final Frontend VIP6 = Frontend.of("2001:db8:113::10", 80, Protocol.TCP);

    @TempDir
    Path dir;

    /**
     * A running record from an earlier boot (the host rebooted, the state directory survived) does
     * not claim forwarding: that kernel's routes and pins are gone. The evidence decides instead.
     */
    @Test
    void aRunningRecordFromAnEarlierBootDoesNotClaimForwarding() throws Exception {
        RestartMarker thisBoot = new RestartMarker(dir, () -> "boot-a");
        thisBoot.markRunning(42);
        assertThat(thisBoot.previous()).isEqualTo(Record.LEFT_ROUTES); // a crash or graceful restart, same boot
        assertThat(new RestartMarker(dir, () -> "boot-b").previous()).isEqualTo(Record.REBOOTED);
        assertThat(new RestartMarker(dir, () -> null).previous()).isEqualTo(Record.LEFT_ROUTES); // boot id unknown: as before
        Files.writeString(dir.resolve(RestartMarker.FILE), "pid 7 since 2026-12-01T00:00:00Z\n"); // a record without a boot id
        assertThat(new RestartMarker(dir, () -> "boot-b").previous()).isEqualTo(Record.LEFT_ROUTES);
        assertThat(RestartMarker.readBootId()).matches("[0-9a-f-]{36}");

        Decision none = RestartEvidence.decide(Record.REBOOTED, STATE, new Evidence(PINS, List.of(), true, Map.of(), List.of()));
        assertThat(none.restarting()).isFalse();
        assertThat(none.forwardingKept()).isEmpty();
        assertThat(none.why()).startsWith("not restarting: the restart record in /var/lib/gannet is from an earlier boot");
        Decision pinned = RestartEvidence.decide(Record.REBOOTED, STATE, new Evidence(PINS, List.of(VIP4), true, Map.of(), List.of()));
        assertThat(pinned.restarting()).isTrue();
        assertThat(pinned.forwardingKept()).containsExactly(AddressFamily.IPV4_UNICAST);
    }

    @Test
    void aFirstStartWithNoPinsAndNoRoutesIsNotRestarting() {
        Decision d = RestartEvidence.decide(Record.NONE, STATE, new Evidence(PINS, List.of(), true, Map.of(), List.of()));
        assertThat(d.restarting()).isFalse();
        assertThat(d.forwardingKept()).isEmpty();
        assertThat(d.why()).isEqualTo("first start: no restart record in /var/lib/gannet, no VIP pinned under /sys/fs/bpf/gannet,"
                + " no kernel route with Gannet's protocol 201");
        assertThat(RestartEvidence.decide(Record.NONE, STATE, Evidence.NONE).why()).as("nothing looked at: said so")
                .isEqualTo("first start: no restart record in /var/lib/gannet, this run re-adopts no forwarding state"
                        + " (no L4LB datapath, no --fib or pod routes)");
    }

    @Test
    void aFreshStateDirectoryOverPinnedVipsRestartsWithTheirFamiliesForwardingKept() {
        Decision d = RestartEvidence.decide(Record.NONE, STATE, new Evidence(PINS, List.of(VIP4), false, Map.of(), List.of()));
        assertThat(d.restarting()).isTrue();
        assertThat(d.forwardingKept()).containsExactly(AddressFamily.IPV4_UNICAST);
        assertThat(d.why()).contains("a fresh state directory").contains("1 VIP frontend(s) of this host pinned under /sys/fs/bpf/gannet"
                + " (203.0.113.10:80/TCP)").endsWith("forwarding kept for [ipv4-unicast]");

        Decision both = RestartEvidence.decide(Record.NONE, STATE, new Evidence(PINS, List.of(VIP6, VIP4), false, Map.of(), List.of()));
        assertThat(both.forwardingKept()).containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
    }

    @Test
    void gannetKernelRoutesAloneAreEvidenceForTheirFamily() {
        Decision d = RestartEvidence.decide(Record.NONE, STATE,
                new Evidence(null, List.of(), true, Map.of(AddressFamily.IPV6_UNICAST, 3), List.of()));
        assertThat(d.restarting()).isTrue();
        assertThat(d.forwardingKept()).containsExactly(AddressFamily.IPV6_UNICAST);
        assertThat(d.why()).contains("3 IPv6 kernel route(s) with Gannet's protocol 201");
    }

    @Test
    void theStateDirectorysRecordDecidesWhenThereIsOne() {
        Evidence pins = new Evidence(PINS, List.of(VIP4), false, Map.of(), List.of());
        Decision left = RestartEvidence.decide(Record.LEFT_ROUTES, STATE, Evidence.NONE);
        assertThat(left.restarting()).isTrue();
        assertThat(left.forwardingKept()).containsExactlyInAnyOrder(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
        assertThat(left.why()).contains("left without a Cease");

        Decision clean = RestartEvidence.decide(Record.STOPPED_CLEANLY, STATE, pins);
        assertThat(clean.restarting()).as("a Cease went to every peer: nothing of ours is held, pins or not").isFalse();
        assertThat(clean.why()).contains("stopped with a Cease to every peer");
    }

    /**
     * The kernel routes a node's earlier run installed with Gannet's protocol (--fib, pod routes),
     * read in a namespace of the test's own: an IPv4 one makes a fresh state directory restart with
     * IPv4 forwarding kept; a route of another protocol is no evidence.
     */
    @Test
    void gannetRoutesInTheKernelAreReadByFamily() {
        Requirements.requireNetns();
        try (NetworkNamespace ns = NetworkNamespace.create("grev")) {
            ns.exec("ip", "link", "add", "d0", "type", "veth", "peer", "name", "d1");
            ns.exec("ip", "link", "set", "d0", "up");
            ns.exec("ip", "route", "add", "198.51.100.0/24", "dev", "d0", "proto", "static");
            java.util.function.Supplier<RtNetlink> in = () -> RtNetlink.openIn(Path.of("/run/netns", ns.name()));
            Evidence none = RestartEvidence.gather(List.of(), null, in);
            assertThat(none.routes()).isEmpty();
            assertThat(RestartEvidence.decide(Record.NONE, STATE, none).restarting()).isFalse();

            ns.exec("ip", "route", "add", "192.0.2.0/24", "dev", "d0", "proto", "201");
            Evidence routes = RestartEvidence.gather(List.of(), null, in);
            assertThat(routes.routes()).isEqualTo(Map.of(AddressFamily.IPV4_UNICAST, 1));
            Decision d = RestartEvidence.decide(Record.NONE, STATE, routes);
            assertThat(d.restarting()).isTrue();
            assertThat(d.forwardingKept()).containsExactly(AddressFamily.IPV4_UNICAST);
            assertThat(d.why()).contains("1 IPv4 kernel route(s) with Gannet's protocol 201");
        }
    }

    @Test
    void theMarkerRecordsARunningDaemonAndACleanStop() throws Exception {
        RestartMarker m = new RestartMarker(dir);
        assertThat(m.previous()).isEqualTo(Record.NONE);
        m.markRunning(42);
        assertThat(new RestartMarker(dir).previous()).isEqualTo(Record.LEFT_ROUTES);
        m.markStoppedCleanly(42);
        assertThat(new RestartMarker(dir).previous()).isEqualTo(Record.STOPPED_CLEANLY);
        assertThat(Files.exists(dir.resolve(RestartMarker.FILE))).isFalse();
        m.markRunning(43); // the next run: running again, a crash now leaves routes
        assertThat(new RestartMarker(dir).previous()).isEqualTo(Record.LEFT_ROUTES);
    }
}
