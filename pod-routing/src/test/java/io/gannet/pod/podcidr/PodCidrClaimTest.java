package io.gannet.pod.podcidr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.pod.ipam.IpBlock;
import io.gannet.testsupport.EtcdServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PodCidrClaimTest {
    @TempDir
    Path dir;
    private EtcdServer etcd;
    private final List<AutoCloseable> open = new ArrayList<>();
    private static final IpBlock POOL = IpBlock.parse("10.244.0.0/22"); // four /24s

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
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

    private PodCidrClaim.Settings settings(String node, Optional<IpBlock> explicit, Set<IpBlock> others) {
        return new PodCidrClaim.Settings(POOL, 24, node, explicit, others, Optional.of(Duration.ofSeconds(30)), dir.resolve("state-" + node));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd"})
    void nodesGetDistinctBlocksStableAcrossRestartsNeverAPinnedOne(String backend) throws Exception {
        ClusterStore s = store(backend);
        Set<IpBlock> pinned = Set.of(IpBlock.parse("10.244.2.0/24"));
        PodCidrClaim a = PodCidrClaim.start(s, settings("a", Optional.empty(), pinned));
        PodCidrClaim b = PodCidrClaim.start(s, settings("b", Optional.empty(), pinned));
        PodCidrClaim c = PodCidrClaim.start(s, settings("c", Optional.of(IpBlock.parse("10.244.2.0/24")), Set.of()));
        assertThat(Set.of(a.block(), b.block(), c.block())).hasSize(3).doesNotContainNull();
        assertThat(a.block()).isNotEqualTo(IpBlock.parse("10.244.2.0/24"));
        assertThat(c.block()).isEqualTo(IpBlock.parse("10.244.2.0/24"));
        IpBlock before = a.block();
        a.close(); // a restart within the TTL
        PodCidrClaim again = PodCidrClaim.start(s, settings("a", Optional.empty(), pinned));
        assertThat(again.block()).isEqualTo(before);
        PodCidrClaim d = PodCidrClaim.start(s, settings("d", Optional.empty(), pinned));
        assertThatThrownBy(() -> PodCidrClaim.start(s, settings("e", Optional.empty(), pinned)))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.getMessage()).contains("is exhausted: all 4 items are held; e gets none"));
        // b leaves the profile: its block is free again
        assertThat(d.releaseHosts(List.of("b", "never-had-one"))).containsExactly("b");
        assertThat(PodCidrClaim.start(s, settings("e", Optional.empty(), pinned)).block()).isEqualTo(b.block());
        for (PodCidrClaim x : List.of(again, b, c, d)) {
            x.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "etcd"})
    void aNodeThatCannotReachTheStoreRoutesWithItsCachedBlockAndConfirmsItLater(String backend) throws Exception {
        ClusterStore s = store(backend);
        IpBlock first = PodCidrClaim.start(s, settings("a", Optional.empty(), Set.of())).block();
        ClusterStore down = new ClusterStore() {
            private StoreException gone() {
                return new StoreException(StoreException.Reason.UNAVAILABLE, "store unreachable (test)");
            }
            @Override public Optional<io.gannet.cluster.store.KeyValue> get(String key) { throw gone(); }
            @Override public List<io.gannet.cluster.store.KeyValue> list(String prefix) { throw gone(); }
            @Override public io.gannet.cluster.store.TxnResult commit(io.gannet.cluster.store.Txn txn) { throw gone(); }
            @Override public Lease grantLease(Duration ttl) { throw gone(); }
            @Override public AutoCloseable watch(String prefix, io.gannet.cluster.store.WatchListener l) { throw gone(); }
            @Override public String describe() { return "down"; }
            @Override public void close() {}
        };
        PodCidrClaim offline = PodCidrClaim.start(down, settings("a", Optional.empty(), Set.of()));
        assertThat(offline.block()).isEqualTo(first);
        assertThat(offline.confirmed()).isFalse();
        assertThatThrownBy(() -> PodCidrClaim.start(down, settings("new", Optional.empty(), Set.of())))
                .hasMessageContaining("node new has no PodCIDR yet and the store is unreachable");
    }
}
