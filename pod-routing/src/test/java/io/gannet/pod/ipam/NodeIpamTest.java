package io.gannet.pod.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIpamTest {
    @TempDir
    Path dir;

    private NodeIpam open(String block) {
        return NodeIpam.open(NodeIpam.Options.of(dir, IpBlock.parse(block)));
    }

    private static AllocationRequest pod(String id) {
        return AllocationRequest.of(id, "eth0", "default", "pod-" + id);
    }

    @Test
    void handsOutEveryUsableAddressOnceThenSaysExhausted() {
        try (NodeIpam ipam = open("10.20.0.0/29")) {
            Set<String> got = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                Assignment a = ipam.allocate(pod("c" + i));
                assertThat(a.prefixLength()).isEqualTo(29);
                assertThat(a.gateway().getHostAddress()).isEqualTo("10.20.0.1");
                got.add(a.address().getHostAddress());
            }
            // .0 network, .1 gateway, .7 broadcast are never handed out
            assertThat(got).containsExactlyInAnyOrder("10.20.0.2", "10.20.0.3", "10.20.0.4", "10.20.0.5", "10.20.0.6");
            assertThatThrownBy(() -> ipam.allocate(pod("c9")))
                    .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.EXHAUSTED))
                    .hasMessageContaining("no free address left in block 10.20.0.0/29 (5 usable, all held)")
                    .hasMessageContaining("default/pod-c9");
            assertThat(ipam.usage().free()).isZero();
            assertThat(ipam.usage().podsInBlock()).isEqualTo(5);
        }
    }

    @Test
    void repeatedAddReturnsTheSameAddressAndReleaseIsIdempotent() {
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            Assignment a = ipam.allocate(pod("abc"));
            assertThat(ipam.allocate(pod("abc"))).isEqualTo(a);
            assertThat(ipam.lookup("abc", "eth0")).contains(a);
            assertThat(ipam.release("abc", "eth0")).contains(a);
            assertThat(ipam.release("abc", "eth0")).isEmpty();
            assertThat(ipam.lookup("abc", "eth0")).isEmpty();
            assertThat(ipam.list()).isEmpty();
        }
    }

    @Test
    void nextFitDoesNotReuseAJustReleasedAddress() {
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            Assignment a = ipam.allocate(pod("a"));
            ipam.release("a", "eth0");
            Assignment b = ipam.allocate(pod("b"));
            assertThat(b.address()).isNotEqualTo(a.address());
        }
    }

    @Test
    void aRestartKeepsEveryAssignmentAndNeverHandsOneOutTwice() {
        List<Assignment> before = new ArrayList<>();
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            for (int i = 0; i < 50; i++) {
                before.add(ipam.allocate(pod("c" + i)));
            }
            for (int i = 0; i < 50; i += 2) {
                ipam.release("c" + i, "eth0");
            }
            ipam.reserve(addr("10.20.0.200"), "printer");
        }
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            for (int i = 1; i < 50; i += 2) {
                assertThat(ipam.lookup("c" + i, "eth0")).contains(before.get(i));
            }
            assertThat(ipam.lookup("c0", "eth0")).isEmpty();
            assertThat(ipam.lookup(addr("10.20.0.200")).orElseThrow().kind()).isEqualTo(Assignment.Kind.RESERVED);
            Set<InetAddress> held = new HashSet<>();
            ipam.list().forEach(a -> held.add(a.address()));
            for (int i = 0; i < 200; i++) {
                Assignment a = ipam.allocate(pod("n" + i));
                assertThat(held.add(a.address())).as("address %s handed out twice", a.address()).isTrue();
            }
        }
    }

    @Test
    void fiftyThreadsNeverGetTheSameAddress() throws Exception {
        try (NodeIpam ipam = open("10.30.0.0/20")) {
            Map<InetAddress, String> owners = new ConcurrentHashMap<>();
            List<String> dupes = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 50; t++) {
                int tn = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 60; i++) {
                        String id = "t" + tn + "-" + i;
                        Assignment a = ipam.allocate(pod(id));
                        String prev = owners.putIfAbsent(a.address(), id);
                        if (prev != null) {
                            dupes.add(a.address() + " " + prev + " " + id);
                        }
                        if (i % 3 == 0) {
                            owners.remove(a.address(), id);
                            ipam.release(id, "eth0");
                        }
                    }
                }));
            }
            go.countDown();
            for (Thread th : threads) {
                th.join();
            }
            assertThat(dupes).isEmpty();
            assertThat(ipam.usage().podsInBlock()).isEqualTo(owners.size()).isEqualTo(50 * 40);
        }
    }

    @Test
    void reserveRefusesAddressesOutsideTheUsableBlockOrHeld() {
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            assertThatThrownBy(() -> ipam.reserve(addr("10.99.0.5"), "x")).hasMessage("10.99.0.5 is not in this node's block 10.20.0.0/24");
            assertThatThrownBy(() -> ipam.reserve(addr("10.20.0.1"), "x")).hasMessageContaining("network, gateway or broadcast");
            assertThatThrownBy(() -> ipam.reserve(addr("10.20.0.255"), "x")).hasMessageContaining("network, gateway or broadcast");
            Assignment a = ipam.allocate(pod("p"));
            assertThatThrownBy(() -> ipam.reserve(a.address(), "x"))
                    .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.IN_USE))
                    .hasMessageContaining("held by pod default/pod-p");
            Assignment r = ipam.reserve(addr("10.20.0.9"), "lab box");
            assertThat(ipam.releaseAddress(addr("10.20.0.9"))).contains(r);
        }
    }

    @Test
    void badRequestsAreClearErrors() {
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            assertThatThrownBy(() -> ipam.allocate(AllocationRequest.of("", "eth0", "ns", "p"))).hasMessage("container id is missing");
            assertThatThrownBy(() -> ipam.allocate(AllocationRequest.of("a b", "eth0", "ns", "p")))
                    .hasMessageContaining("container id 'a b' must be 1-256 characters without spaces");
            assertThatThrownBy(() -> ipam.allocate(AllocationRequest.of("c", "eth0", "ns\tx", "p")))
                    .hasMessageContaining("pod namespace 'ns?x'");
            assertThat(ipam.list()).isEmpty();
        }
    }

    @Test
    void fixedIpWithoutAPoolIsAClearError() {
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            AllocationRequest r = new AllocationRequest("c1", "eth0", "db", "pg-0", Optional.of(new FixedIpKey("db", "pg", 0)));
            assertThatThrownBy(() -> ipam.allocate(r))
                    .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.FIXED_IP_UNAVAILABLE))
                    .hasMessageContaining("db/pg/0 asks for a fixed IP but the profile names no fixed-IP pool");
        }
    }

    @Test
    void fixedIpsComeFromTheClaimsAsHostRoutesAndAreVacatedOnRelease() {
        List<String> log = new ArrayList<>();
        FixedIpClaims claims = new FixedIpClaims() {
            @Override
            public InetAddress claim(FixedIpKey key) {
                log.add("claim " + key);
                return addr("10.99.0." + (10 + key.ordinal()));
            }

            @Override
            public void vacate(FixedIpKey key, InetAddress address) {
                log.add("vacate " + key + " " + address.getHostAddress());
            }
        };
        NodeIpam.Options o = NodeIpam.Options.of(dir, IpBlock.parse("10.20.0.0/24")).withFixedIps(claims);
        try (NodeIpam ipam = NodeIpam.open(o)) {
            Assignment a = ipam.allocate(new AllocationRequest("c1", "eth0", "db", "pg-1", Optional.of(new FixedIpKey("db", "pg", 1))));
            assertThat(a.cidr()).isEqualTo("10.99.0.11/32");
            assertThat(a.kind()).isEqualTo(Assignment.Kind.FIXED);
            assertThat(a.gateway().getHostAddress()).isEqualTo("10.20.0.1");
            // the pod is recreated here before the old sandbox is deleted: the new container takes the address
            Assignment b = ipam.allocate(new AllocationRequest("c2", "eth0", "db", "pg-1", Optional.of(new FixedIpKey("db", "pg", 1))));
            assertThat(b.address()).isEqualTo(a.address());
            assertThat(ipam.release("c1", "eth0")).isEmpty();
            assertThat(ipam.usage().fixed()).isEqualTo(1);
        }
        try (NodeIpam ipam = NodeIpam.open(o)) {
            assertThat(ipam.lookup("c2", "eth0").orElseThrow().cidr()).isEqualTo("10.99.0.11/32");
            ipam.release("c2", "eth0");
        }
        assertThat(log).containsExactly("claim db/pg/1", "claim db/pg/1", "vacate db/pg/1 10.99.0.11");
    }

    @Test
    void ipv6BlocksWork() {
        try (NodeIpam ipam = open("fd00:10:20::/120")) {
            Assignment a = ipam.allocate(pod("x"));
            assertThat(a.cidr()).isEqualTo("fd00:10:20::2/120");
            assertThat(IpBlock.format(a.gateway())).isEqualTo("fd00:10:20::1");
        }
    }

    @Test
    void aTornLastLineIsDroppedAndAnythingElseDamagedIsAClearErrorThatChangesNothing() throws Exception {
        Path file;
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            ipam.allocate(pod("a"));
            file = ipam.file();
        }
        Files.writeString(file, "A\t10.20.0.3\tPOD\tb\teth0\tns", StandardOpenOption.APPEND); // torn write
        try (NodeIpam ipam = open("10.20.0.0/24")) {
            assertThat(ipam.list()).extracting(Assignment::containerId).containsExactly("a");
        }
        Files.writeString(file, "A\t10.20.0.300\tPOD\tb\teth0\tns\tp\t-\t1\n", StandardOpenOption.APPEND);
        byte[] damaged = Files.readAllBytes(file);
        assertThatThrownBy(() -> open("10.20.0.0/24"))
                .isInstanceOfSatisfying(IpamException.class, e -> assertThat(e.reason()).isEqualTo(IpamException.Reason.STORAGE))
                .hasMessage(file + ":3: '10.20.0.300' is not an IPv4 address; the file was left unchanged (move it aside to start with an empty block)");
        assertThat(Files.readAllBytes(file)).isEqualTo(damaged);
        Files.write(file, "garbage\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> open("10.20.0.0/24")).hasMessageContaining(":1: not a Gannet IPAM file");
    }

    static InetAddress addr(String s) {
        return IpBlock.parseAddress(s);
    }
}
