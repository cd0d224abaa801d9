package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.agent.run.L4lbHostBed.Connection;
import io.gannet.agent.run.L4lbHostBed.Family;
import io.gannet.lab.Fabric;
import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted L4LB host against a real FRR leaf with graceful restart (the leaf's configuration
 * rendered by {@code gannet profile render --switch}): the restarted daemon holds End-of-RIB
 * until its VIP is announced again, so the leaf keeps the earlier run's (stale) VIP route the
 * whole time instead of flushing it while the health checks rise; an established connection
 * and new flows go on through the restart. It knows it restarts from its state directory, or, with
 * a fresh one, from the pinned datapath it re-adopts.
 */
class L4lbRestartFrrTest {
    private static final String VIP = Family.IPV4.vip() + "/32";

    @TempDir
    Path dir;
    private final Testbed bed = new Testbed();

    @AfterEach
    void tearDown() throws Exception {
        bed.close();
    }

    @Test
    void theLeafKeepsTheVipThroughARestartUntilItIsAnnouncedAgain() throws Exception {
        L4lbHostBed lb = host("l4lbgr");
        lb.keepStateDirectory(); // the restarted run knows it restarts: its OPEN says forwarding was preserved
        FrrRouter frr = leaf(lb);
        acrossARestart(lb, frr);
        assertThat(lb.gannet().log()).contains("says the earlier run left without a Cease");
    }

    /**
     * The host restarts with a fresh state directory over the same pin root (a container whose
     * state directory is an emptyDir while /sys/fs/bpf is a host mount): no restart record, but the
     * pinned datapath it re-adopts still serves the VIP, so its OPEN says it restarted with IPv4
     * forwarding kept and the leaf keeps the stale route until End-of-RIB. Before, the daemon
     * decided from the state directory only: it sent neither the R nor the F bit, FRR flushed the VIP
     * at once (RFC 4724 4.2) and had no route to it until the health check rose and the VIP was
     * announced again. The first run, with no pins and no routes, is a first start.
     */
    @Test
    void aFreshStateDirectoryOverTheSamePinsStillRestartsGracefully() throws Exception {
        L4lbHostBed lb = host("l4lbgrf"); // every run its own, empty state directory
        FrrRouter frr = leaf(lb);
        GannetProcess first = acrossARestart(lb, frr);
        for (GannetProcess run : List.of(first, lb.gannet())) {
            run.log().lines().filter(l -> l.contains("graceful-restart")).limit(1)
                    .forEach(l -> System.out.println("L4lbRestartFrrTest: " + l));
        }
        assertThat(first.log()).contains("first start: no restart record").contains(", no VIP pinned under ")
                .doesNotContain("restarting speaker");
        assertThat(lb.gannet().log()).contains("no restart record").contains("VIP frontend(s) of this host pinned under")
                .contains("forwarding kept for [ipv4-unicast]").contains("restarting speaker");
    }

    private L4lbHostBed host(String name) throws Exception {
        Requirements.requireNetns();
        Requirements.requireBpf();
        for (String c : new String[] {"/usr/lib/frr/zebra", Fabric.BGPD, "vtysh", "nft", "python3"}) {
            Requirements.requireCommand(c);
        }
        L4lbHostBed lb = new L4lbHostBed(bed, dir, name, Family.IPV4);
        lb.gracefulRestart();
        return lb;
    }

    private FrrRouter leaf(L4lbHostBed lb) throws Exception {
        lb.client.exec("ip", "addr", "add", "10.96.0.254/24", "dev", "eth0"); // the profile's leaf1, in the client's namespace
        String conf = GannetProcess.render(lb.profile(), "leaf1");
        assertThat(conf).contains("graceful-restart-helper");
        return bed.own(FrrRouter.start(lb.client, dir.resolve("frr"), conf));
    }

    /**
     * Starts the host, then restarts it while FRR's table is sampled every 100 ms: FRR never lacks
     * the VIP, the restarted run releases End-of-RIB once its VIP is announced again, and a
     * connection established before the restart and new flows go on. Returns the first run.
     */
    private GannetProcess acrossARestart(L4lbHostBed lb, FrrRouter frr) throws Exception {
        String fe = lb.family.frontend(80);
        GannetProcess first = lb.restart();
        lb.awaitVip(fe, v -> v.path("healthy").asText().equals("1/1"));
        lb.gannet().awaitTrue("FRR has the VIP from lb1", () -> hasVip(frr), () -> frr.log() + lb.gannet().log());
        Connection held = lb.connect();
        assertThat(held.say("before")).isEqualTo("echo before");

        // FRR's table, sampled across the restart until the new run has settled
        List<String> without = new CopyOnWriteArrayList<>();
        AtomicInteger samples = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofVirtual().start(() -> {
            while (sampling.get()) {
                String t = frr.vtysh("show bgp ipv4 unicast " + VIP);
                samples.incrementAndGet();
                if (!t.contains("10.96.0.1")) {
                    without.add(t.strip());
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        lb.restart(); // SIGTERM, then gannet run again over the pins
        lb.awaitVip(fe, v -> v.path("route").asText().equals("announced"));
        Thread.sleep(2000);
        sampling.set(false);
        sampler.join();

        System.out.println("L4lbRestartFrrTest: " + samples.get() + " samples of FRR's table across the restart, "
                + without.size() + " without the VIP");
        assertThat(samples.get()).isGreaterThan(20);
        assertThat(without).as("FRR lost the VIP during the restart" + frr.log() + lb.gannet().log()).isEmpty();
        assertThat(lb.gannet().log()).contains("End-of-RIB sent to the peers: the L4LB has announced its VIPs");
        assertThat(held.say("after")).as("the connection established before the restart").isEqualTo("echo after");
        assertThat(lb.flows(23000, 5)).containsOnly("be1");
        return first;
    }

    private static boolean hasVip(FrrRouter frr) {
        return frr.vtysh("show bgp ipv4 unicast " + VIP).contains("10.96.0.1");
    }
}
