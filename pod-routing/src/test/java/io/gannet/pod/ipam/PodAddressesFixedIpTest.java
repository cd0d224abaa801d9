package io.gannet.pod.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.pod.fixedip.FixedIpRegistry;
import io.gannet.pod.fixedip.FixedIpRoutes;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dual-stack StatefulSet pod's addresses: with a fixed-IP pool of each family it gets a fixed
 * /32 and a fixed /128 (each from its family's registry, on a real file store); with an IPv4
 * pool only, its IPv6 address is a block address as before. Release vacates both, and a pod
 * that cannot get its IPv6 fixed IP gives its IPv4 one back.
 */
class PodAddressesFixedIpTest {
    private static final IpBlock BLOCK4 = IpBlock.parse("10.244.1.0/24");
    private static final IpBlock BLOCK6 = IpBlock.parse("fd00:10:244:1::/64");
    private static final FixedIpKey PG0 = new FixedIpKey("db", "pg", 0);

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> routes = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private ClusterStore store() {
        ClusterStore s = FileStore.open(dir.resolve("store"));
        open.add(s);
        return s;
    }

    private FixedIpRegistry registry(ClusterStore s, String pool, String cidr) {
        FixedIpRoutes r = new FixedIpRoutes() {
            @Override
            public void announce(InetAddress a) {
                routes.add("announce " + IpBlock.format(a));
            }

            @Override
            public void withdraw(InetAddress a) {
                routes.add("withdraw " + IpBlock.format(a));
            }
        };
        FixedIpRegistry f = new FixedIpRegistry(s, "n1", pool, IpBlock.parse(cidr), r, Duration.ofSeconds(5), Duration.ofSeconds(2));
        open.add(f);
        return f;
    }

    private NodeIpam ipam(IpBlock block, FixedIpClaims claims) {
        NodeIpam i = NodeIpam.open(NodeIpam.Options.of(dir.resolve(block.isIpv4() ? "v4" : "v6"), block).withFixedIps(claims));
        open.add(i);
        return i;
    }

    private static AllocationRequest statefulPod(String container) {
        return new AllocationRequest(container, "eth0", "db", "pg-0", Optional.of(PG0));
    }

    @Test
    void aPoolOfEachFamilyGivesTheStatefulSetPodAFixedAddressOfEachAndReleaseVacatesBoth() {
        ClusterStore s = store();
        FixedIpRegistry f4 = registry(s, "db", "10.250.0.0/24");
        FixedIpRegistry f6 = registry(s, "db6", "fd00:250::/112");
        PodAddresses pod = new PodAddresses(List.of(ipam(BLOCK4, f4), ipam(BLOCK6, f6)));

        List<Assignment> got = pod.allocate(statefulPod("c1"));
        assertThat(got).extracting(Assignment::kind).containsExactly(Assignment.Kind.FIXED, Assignment.Kind.FIXED);
        assertThat(got.get(0).cidr()).startsWith("10.250.0.").endsWith("/32");
        assertThat(got.get(1).cidr()).startsWith("fd00:250::").endsWith("/128");
        // Each reached on-link through its own block's gateway.
        assertThat(IpBlock.format(got.get(0).gateway())).isEqualTo("10.244.1.1");
        assertThat(IpBlock.format(got.get(1).gateway())).isEqualTo("fd00:10:244:1::1");
        assertThat(f6.holder(PG0)).contains("n1");
        String v6 = IpBlock.format(got.get(1).address());
        assertThat(routes).contains("announce " + v6);

        // The pod's sandbox is recreated: the same two addresses.
        pod.release("c1", "eth0");
        assertThat(f4.holder(PG0)).isEmpty();
        assertThat(f6.holder(PG0)).isEmpty();
        assertThat(routes).contains("withdraw " + v6);
        assertThat(pod.allocate(statefulPod("c2"))).extracting(Assignment::address)
                .containsExactly(got.get(0).address(), got.get(1).address());
        // An ordinary pod beside it still gets block addresses of both families.
        assertThat(pod.allocate(AllocationRequest.of("c3", "eth0", "db", "web-x"))).extracting(Assignment::kind)
                .containsExactly(Assignment.Kind.POD, Assignment.Kind.POD);
    }

    @Test
    void withAnIpv4PoolOnlyTheIpv6AddressIsABlockAddressAsBefore() {
        FixedIpRegistry f4 = registry(store(), "db", "10.250.0.0/24");
        PodAddresses pod = new PodAddresses(List.of(ipam(BLOCK4, f4), ipam(BLOCK6, FixedIpClaims.NONE)));
        List<Assignment> got = pod.allocate(statefulPod("c1"));
        assertThat(got).extracting(Assignment::kind).containsExactly(Assignment.Kind.FIXED, Assignment.Kind.POD);
        assertThat(got.get(0).cidr()).startsWith("10.250.0.").endsWith("/32");
        assertThat(got.get(1).cidr()).isEqualTo("fd00:10:244:1::2/64");
    }

    @Test
    void withAnIpv6PoolOnlyTheIpv4AddressIsABlockAddress() {
        FixedIpRegistry f6 = registry(store(), "db6", "fd00:250::/112");
        PodAddresses pod = new PodAddresses(List.of(ipam(BLOCK4, FixedIpClaims.NONE), ipam(BLOCK6, f6)));
        assertThat(pod.allocate(statefulPod("c1"))).extracting(Assignment::kind).containsExactly(Assignment.Kind.POD, Assignment.Kind.FIXED);
    }

    @Test
    void noIpv6FixedIpLeftGivesTheIpv4OneBackAndSaysWhy() {
        ClusterStore s = store();
        FixedIpRegistry f4 = registry(s, "db", "10.250.0.0/24");
        FixedIpRegistry f6 = registry(s, "db6", "fd00:250::/126"); // 4 addresses, the first never handed out
        for (int i = 1; i <= 3; i++) {
            f6.claim(new FixedIpKey("db", "other", i));
        }
        PodAddresses pod = new PodAddresses(List.of(ipam(BLOCK4, f4), ipam(BLOCK6, f6)));
        assertThatThrownBy(() -> pod.allocate(statefulPod("c1"))).isInstanceOf(IpamException.class)
                .hasMessageContaining("no address in fd00:10:244:1::/64").hasMessageContaining("no fixed IP for db/pg/0 from pool db6")
                .hasMessageContaining("exhausted").hasMessageContaining("/32 released again");
        assertThat(f4.holder(PG0)).isEmpty();
        assertThat(pod.held("c1", "eth0")).isEmpty();
    }
}
