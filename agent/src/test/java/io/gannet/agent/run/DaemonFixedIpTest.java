package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.lab.FrrSwitch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.agent.cli.ControlClient;
import io.gannet.testsupport.EtcdServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A fixed StatefulSet IP moving from node A to node B: two {@code gannet run} daemons sharing
 * one real etcd, peered with one real FRR leaf in namespaces. The CNI plugin's call (the control
 * API's {@code POST /v1/ipam/allocate} with {@code fixedIp}) starts the pod on A, then on B;
 * FRR's RIB is sampled all along and never holds the /32 from both.
 */
class DaemonFixedIpTest extends DaemonAgainstFrr {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String A = "10.203.0.1";
    private static final String B = "10.203.0.5";

    private static JsonNode post(Path socket, String uri, String body) throws Exception {
        ControlClient.Response r = new ControlClient(socket, Duration.ofSeconds(15)).post(uri, body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void theHostRouteFollowsThePodAndIsNeverAnnouncedByBothNodes() throws Exception {
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: fixed-ip}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24, leaseSeconds: 5}
                  fixedIPPools: [{name: db, cidr: 10.250.0.0/24}]
                  bgp: {holdTime: 9, connectRetry: 1}
                  bfd: {enabled: false}
                  inventory:
                    switches:
                      - {name: leaf1, addresses: [10.203.0.2], asn: 4200100001}
                    hosts:
                      - {name: na, address: %s, podCIDR: 10.244.1.0/24}
                      - {name: nb, address: %s, podCIDR: 10.244.2.0/24}
                """.formatted(A, B));
        fabric = new Fabric("fip", dir, A + "/24");
        fabric.node().exec("ip", "addr", "add", B + "/24", "dev", "br0");
        FrrSwitch leaf = fabric.addSwitch("leaf1", "10.203.0.2/24", GannetProcess.render(profile, "leaf1"), Fabric.TEST_NETS.get(0));
        try (EtcdServer etcd = EtcdServer.startIn(fabric.node().name());
             GannetProcess ga = GannetProcess.start(fabric.node(), Files.createDirectories(dir.resolve("a")), profile, "na", "--etcd", etcd.url());
             GannetProcess gb = GannetProcess.start(fabric.node(), Files.createDirectories(dir.resolve("b")), profile, "nb", "--etcd", etcd.url())) {
            ga.awaitTrue("na established", () -> ga.established("leaf1"), fabric::diagnostics);
            gb.awaitTrue("nb established", () -> gb.established("leaf1"), fabric::diagnostics);

            // Sample FRR's view of the fixed pool all along: no /32 may have paths from both nodes.
            List<String> doubles = Collections.synchronizedList(new ArrayList<>());
            List<String> timeline = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofPlatform().start(() -> {
                String last = "";
                while (sampling.get()) {
                    JsonNode routes = leaf.json("show bgp ipv4 unicast json").path("routes");
                    StringBuilder now = new StringBuilder();
                    routes.fieldNames().forEachRemaining(p -> {
                        if (p.startsWith("10.250.0.")) {
                            List<String> from = new ArrayList<>();
                            List<String> removed = new ArrayList<>();
                            // A path FRR has taken the withdraw for but not yet reaped from the
                            // table shows with "removed" (status R): that peer no longer announces it.
                            routes.path(p).forEach(path -> (path.path("removed").asBoolean(false) ? removed : from)
                                    .add(path.path("peerId").asText()));
                            now.append(p).append(" from ").append(from).append(removed.isEmpty() ? "" : " withdrawn " + removed).append("; ");
                            if (from.size() > 1) {
                                doubles.add(p + " from " + from);
                            }
                        }
                    });
                    if (!now.toString().equals(last)) {
                        timeline.add(System.nanoTime() / 1_000_000 + " ms: " + (now.isEmpty() ? "none" : now));
                        last = now.toString();
                    }
                }
            });
            try {
                JsonNode onA = post(dir.resolve("a/gannet.sock"), "/v1/ipam/allocate",
                        "{\"containerId\":\"pg0-a\",\"ifName\":\"eth0\",\"podNamespace\":\"db\",\"podName\":\"pg-0\",\"fixedIp\":\"db/pg/0\"}");
                String ip = onA.path("ip").asText();
                assertThat(ip).startsWith("10.250.0.");
                assertThat(onA.path("address").asText()).isEqualTo(ip + "/32");
                String prefix = ip + "/32";
                ga.awaitTrue("FRR has " + prefix + " from A", () -> leaf.routesFrom(A).containsKey(prefix), fabric::diagnostics);

                for (int move = 0; move < 3; move++) {
                    boolean toB = move % 2 == 0;
                    Path socket = dir.resolve(toB ? "b/gannet.sock" : "a/gannet.sock");
                    String to = toB ? B : A;
                    String from = toB ? A : B;
                    long t0 = System.nanoTime();
                    JsonNode moved = post(socket, "/v1/ipam/allocate", "{\"containerId\":\"pg0-" + move + "\",\"ifName\":\"eth0\","
                            + "\"podNamespace\":\"db\",\"podName\":\"pg-0\",\"fixedIp\":\"db/pg/0\"}");
                    assertThat(moved.path("ip").asText()).isEqualTo(ip);
                    (toB ? gb : ga).awaitTrue("FRR has " + prefix + " from " + to + " only",
                            () -> leaf.routesFrom(to).containsKey(prefix) && !leaf.routesFrom(from).containsKey(prefix),
                            Duration.ofSeconds(10), Duration.ofMillis(20), fabric::diagnostics);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    System.out.printf("fixed IP %s moved %s -> %s: FRR shows only the new path %d ms after the pod's allocate call%n", prefix, from, to, ms);
                    // The figure is printed (and in the notes); the bound only catches a hang. The 1 s
                    // target is met on a quiet machine, not at load 17 on 2 cores (0.8-4.2 s seen).
                    assertThat(ms).as("move %d took %d ms", move, ms).isLessThan(10_000);
                }
                JsonNode shown = JSON.readTree(ga.cli("show", "ipam", "--json"));
                assertThat(shown.path("summary").path("fixedIpPool").asText()).isEqualTo("db");

                // Fencing: with etcd gone, B cannot hear a handover request and its lease (5 s) may
                // expire at the store, so B withdraws the /32 before that can happen; when etcd is
                // back the address is still B's and B announces it again. The PodCIDRs stay.
                long t0 = System.nanoTime();
                etcd.stop();
                gb.awaitTrue("B withdrew " + prefix + " (fenced)", () -> !leaf.routesFrom(B).containsKey(prefix),
                        Duration.ofSeconds(15), Duration.ofMillis(50), fabric::diagnostics);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                System.out.printf("fencing: %s gone from FRR %d ms after etcd stopped (fixed-IP lease 5 s)%n", prefix, ms);
                assertThat(ms).as("withdrawn before the lease could expire at the store").isLessThan(5000);
                assertThat(leaf.routesFrom(B)).containsKey("10.244.2.0/24");
                assertThat(gb.log()).contains("fixedip: fencing");
                etcd.start();
                gb.awaitTrue("B announces " + prefix + " again", () -> leaf.routesFrom(B).containsKey(prefix),
                        Duration.ofSeconds(30), Duration.ofMillis(50), fabric::diagnostics);
            } finally {
                sampling.set(false);
                sampler.join();
            }
            assertThat(doubles).as("FRR timeline:\n" + String.join("\n", timeline)).isEmpty();
            assertThat(timeline.size()).as(String.join("\n", timeline)).isGreaterThanOrEqualTo(3);
        }
    }
}
