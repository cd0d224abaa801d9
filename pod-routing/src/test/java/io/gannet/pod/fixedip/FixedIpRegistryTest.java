package io.gannet.pod.fixedip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.pod.ipam.FixedIpKey;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.pod.ipam.IpamException;
import io.gannet.testsupport.EtcdServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fixed IPs moving between nodes, on both store backends: one announcer at any time. */
class FixedIpRegistryTest {
    @TempDir
    Path dir;
    private EtcdServer etcd;
    private final List<AutoCloseable> open = new ArrayList<>();
    private static final IpBlock POOL = IpBlock.parse("10.250.0.0/28");

    /** The fabric's view: who announces each address; a second announcer is a violation. */
    private final Map<InetAddress, Set<String>> announced = new HashMap<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> history = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private ClusterStore store(String backend) throws Exception {
        ClusterStore s;
        if (backend.equals("etcd")) {
            if (etcd == null) {
                etcd = EtcdServer.startNew();
            }
            s = EtcdStore.connect(etcd.url(), Duration.ofSeconds(5));
        } else {
            s = FileStore.open(dir.resolve("store"));
        }
        open.add(s);
        return s;
    }

    private FixedIpRoutes routes(String node) {
        return new FixedIpRoutes() {
            @Override
            public void announce(InetAddress a) {
                synchronized (announced) {
                    Set<String> who = announced.computeIfAbsent(a, x -> new HashSet<>());
                    if (!who.isEmpty() && !who.contains(node)) {
                        violations.add(a + " announced by " + node + " while " + who + " still announce it");
                    }
                    if (who.add(node)) {
                        history.add(node + " announce " + IpBlock.format(a));
                    }
                }
            }

            @Override
            public void withdraw(InetAddress a) {
                synchronized (announced) {
                    Set<String> who = announced.get(a);
                    if (who != null && who.remove(node)) {
                        history.add(node + " withdraw " + IpBlock.format(a));
                    }
                }
            }
        };
    }

    private FixedIpRegistry registry(ClusterStore s, String node) {
        FixedIpRegistry r = new FixedIpRegistry(s, node, "db", POOL, routes(node), Duration.ofSeconds(3), Duration.ofSeconds(5));
        open.add(r);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd"})
    void aFixedIpFollowsItsPodBetweenNodesWithNeverTwoAnnouncers(String backend) throws Exception {
        FixedIpRegistry a = registry(store(backend), "node-a");
        FixedIpRegistry b = registry(store(backend), "node-b");
        FixedIpKey pg0 = new FixedIpKey("db", "pg", 0);
        InetAddress addr = a.claim(pg0);
        assertThat(POOL.contains(addr)).isTrue();
        assertThat(IpBlock.format(addr)).isNotEqualTo("10.250.0.0").isNotEqualTo("10.250.0.15");
        assertThat(a.claim(pg0)).isEqualTo(addr);
        assertThat(a.holder(pg0)).contains("node-a");
        for (int round = 0; round < 5; round++) {
            FixedIpRegistry to = round % 2 == 0 ? b : a;
            long t0 = System.nanoTime();
            assertThat(to.claim(pg0)).isEqualTo(addr); // the same address wherever the pod runs
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).as("handover %d took %d ms", round, ms).isLessThan(1000);
            assertThat(to.holder(pg0)).contains(to == a ? "node-a" : "node-b");
        }
        assertThat(violations).isEmpty();
        String x = IpBlock.format(addr);
        assertThat(history).containsExactly("node-a announce " + x,
                "node-a withdraw " + x, "node-b announce " + x,
                "node-b withdraw " + x, "node-a announce " + x,
                "node-a withdraw " + x, "node-b announce " + x,
                "node-b withdraw " + x, "node-a announce " + x,
                "node-a withdraw " + x, "node-b announce " + x);
        // another ordinal gets another address; the pod's end on its node vacates
        InetAddress other = a.claim(new FixedIpKey("db", "pg", 1));
        assertThat(other).isNotEqualTo(addr);
        b.vacate(pg0, addr);
        assertThat(b.holder(pg0)).isEmpty();
    }

    /**
     * Fencing: etcd goes away; the holder withdraws its fixed IP before its lease (3 s) can have
     * expired at the store, so no other node can ever announce it while this one still does;
     * when etcd is back the holder finds the address still its own and announces it again.
     */
    @Test
    void aNodeCutOffFromTheStoreWithdrawsItsFixedIpsBeforeItsLeaseCanExpireAndAnnouncesThemWhenItReturns() throws Exception {
        FixedIpRegistry a = registry(store("etcd"), "node-a");
        FixedIpKey pg0 = new FixedIpKey("db", "pg", 0);
        String x = IpBlock.format(a.claim(pg0));
        assertThat(history).containsExactly("node-a announce " + x);
        long t0 = System.nanoTime();
        etcd.stop();
        awaitHistory(2, Duration.ofSeconds(10));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("fencing: %s withdrawn %d ms after etcd stopped (lease TTL 3 s)%n", x, ms);
        assertThat(history).containsExactly("node-a announce " + x, "node-a withdraw " + x);
        assertThat(ms).as("withdrawn before the lease could expire at the store").isLessThan(3000);
        etcd.start();
        awaitHistory(3, Duration.ofSeconds(30));
        assertThat(history).containsExactly("node-a announce " + x, "node-a withdraw " + x, "node-a announce " + x);
        assertThat(a.holder(pg0)).contains("node-a");
        assertThat(a.heldHere()).containsExactly(pg0.toString());
        assertThat(violations).isEmpty();
    }

    private void awaitHistory(int size, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (history.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(history).as("history after %s", timeout).hasSizeGreaterThanOrEqualTo(size);
    }

    /**
     * An IPv6 pool beside the IPv4 one (a dual-stack StatefulSet): each pod identity gets a /128
     * of its own, kept across a daemon restart and a move to another node, handed over with
     * never two announcers, exactly as its /32; the pool's first address (the Subnet-Router
     * anycast address) is never handed out, exhaustion is named, and a vacated address stays
     * the identity's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd"})
    void anIpv6PoolGivesEachPodIdentityItsOwnAddressAcrossRestartsAndMovesBesideItsIpv4One(String backend) throws Exception {
        IpBlock pool6 = IpBlock.parse("fd00:250::/124");
        ClusterStore sa = store(backend);
        FixedIpRegistry a4 = registry(sa, "node-a");
        FixedIpRegistry a6 = new FixedIpRegistry(sa, "node-a", "db6", pool6, routes("node-a"), Duration.ofSeconds(3), Duration.ofSeconds(5));
        ClusterStore sb = store(backend);
        FixedIpRegistry b4 = registry(sb, "node-b");
        FixedIpRegistry b6 = registry6(sb, "node-b", pool6);
        FixedIpKey pg0 = new FixedIpKey("db", "pg", 0);
        InetAddress v4 = a4.claim(pg0);
        InetAddress v6 = a6.claim(pg0);
        assertThat(POOL.contains(v4)).isTrue();
        assertThat(pool6.contains(v6)).isTrue();
        assertThat(IpBlock.format(v6)).isNotEqualTo("fd00:250::");
        assertThat(a6.holder(pg0)).contains("node-a");
        assertThat(a6.heldHere()).containsExactly(pg0.toString());

        // node-a's daemon restarts (a new registry on a new store client): the same /128 comes back.
        a6.close();
        InetAddress again = registry6(store(backend), "node-a", pool6).claim(pg0);
        assertThat(again).isEqualTo(v6);

        // The pod moves to node-b: both addresses follow it, each handed over without two announcers.
        assertThat(b4.claim(pg0)).isEqualTo(v4);
        assertThat(b6.claim(pg0)).isEqualTo(v6);
        assertThat(b6.holder(pg0)).contains("node-b");
        assertThat(b4.holder(pg0)).contains("node-b");
        assertThat(violations).isEmpty();
        synchronized (announced) {
            assertThat(announced.get(v6)).containsExactly("node-b");
            assertThat(announced.get(v4)).containsExactly("node-b");
        }
        String x = IpBlock.format(v6);
        assertThat(history).filteredOn(h -> h.endsWith(" " + x)).containsExactly("node-a announce " + x, "node-a withdraw " + x,
                "node-b announce " + x);

        // Released: node-b's pod stops; the address stays reserved for the identity, and the next node
        // to run it takes it at once (no handover to wait for); other identities never get it.
        b6.vacate(pg0, v6);
        assertThat(b6.holder(pg0)).isEmpty();
        synchronized (announced) {
            assertThat(announced.get(v6)).isEmpty();
        }
        FixedIpRegistry c6 = registry6(store(backend), "node-c", pool6);
        long t0 = System.nanoTime();
        assertThat(c6.claim(pg0)).isEqualTo(v6);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1000);

        // /124: 16 addresses, the first never handed out: pg-0 and 14 more, then exhausted.
        Set<InetAddress> given = new HashSet<>(List.of(v6));
        for (int i = 1; i < 15; i++) {
            InetAddress next = c6.claim(new FixedIpKey("db", "pg", i));
            assertThat(given.add(next)).as("%s handed out twice", next).isTrue();
            assertThat(IpBlock.format(next)).isNotEqualTo("fd00:250::");
        }
        assertThat(given).hasSize(15);
        assertThatThrownBy(() -> c6.claim(new FixedIpKey("db", "pg", 99)))
                .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.FIXED_IP_UNAVAILABLE))
                .hasMessageContaining("no fixed IP for db/pg/99 from pool db6").hasMessageContaining("exhausted");
        // The IPv4 pool is untouched by the IPv6 one's exhaustion.
        assertThat(b4.claim(new FixedIpKey("db", "pg", 99))).matches(POOL::contains);
    }

    private FixedIpRegistry registry6(ClusterStore s, String node, IpBlock pool6) {
        FixedIpRegistry r = new FixedIpRegistry(s, node, "db6", pool6, routes(node), Duration.ofSeconds(3), Duration.ofSeconds(5));
        open.add(r);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd"})
    void aVanishedHolderReleasesAfterItsLeaseAndExhaustionIsClear(String backend) throws Exception {
        ClusterStore sa = store(backend);
        FixedIpRegistry a = new FixedIpRegistry(sa, "node-a", "db", POOL, routes("node-a"), Duration.ofSeconds(2), Duration.ofSeconds(5));
        FixedIpRegistry b = registry(store(backend), "node-b");
        FixedIpKey k = new FixedIpKey("db", "pg", 0);
        InetAddress addr = a.claim(k);
        a.close(); // node-a dies: no answer to the handover, no renewal
        sa.close();
        synchronized (announced) {
            announced.clear(); // its BGP sessions died with it
        }
        long t0 = System.nanoTime();
        assertThat(b.claim(k)).isEqualTo(addr);
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(500L, 5000L);
        // 14 usable addresses (network and broadcast of the /28 are never handed out)
        for (int i = 1; i < 14; i++) {
            b.claim(new FixedIpKey("db", "pg", i));
        }
        assertThatThrownBy(() -> b.claim(new FixedIpKey("db", "pg", 99)))
                .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.FIXED_IP_UNAVAILABLE))
                .hasMessageContaining("no fixed IP for db/pg/99 from pool db").hasMessageContaining("exhausted");
    }
}
