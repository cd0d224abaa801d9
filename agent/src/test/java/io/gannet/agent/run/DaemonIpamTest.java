package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.agent.cli.ControlClient;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pod IPAM as a user runs it: {@code gannet run} with {@code podCIDRPool.allocation: store}
 * (the default file store under --state-dir) takes a PodCIDR that is not pinned to another host,
 * originates it, serves the CNI plugin's allocate/release calls on the control API, {@code
 * gannet show ipam} and {@code gannet ipam reserve|release}, and keeps block and addresses
 * across a restart. Loopback only, no root.
 */
class DaemonIpamTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path profile(int port) throws Exception {
        Path p = dir.resolve("profile.yaml");
        Files.writeString(p, """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: ipam}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool: {cidr: 10.244.0.0/22, prefixLength: 24, allocation: store}
                  bfd: {enabled: false}
                  inventory:
                    switches:
                      - {name: sw1, addresses: [127.0.0.2], port: %d, asn: 4200000100}
                    hosts:
                      - {name: n1, address: 127.0.0.1, port: %d}
                      - {name: n2, address: 127.0.0.3, podCIDR: 10.244.0.0/24}
                """.formatted(freePort(), port));
        return p;
    }

    private static String scrape(int port) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    private static JsonNode post(GannetProcess g, Path socket, String uri, String body) throws Exception {
        ControlClient.Response r = new ControlClient(socket, Duration.ofSeconds(10)).post(uri, body.getBytes(StandardCharsets.UTF_8));
        JsonNode j = JSON.readTree(r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) j).put("httpStatus", r.status());
        return j;
    }

    @Test
    void storeAllocatedPodCidrPodAddressesShowAndOperatorCommandsSurviveARestart() throws Exception {
        Path profile = profile(freePort());
        Path socket = dir.resolve("gannet.sock");
        String block;
        String podAddress;
        int metricsPort = freePort();
        try (GannetProcess g = GannetProcess.start(null, dir, profile, "n1", "--metrics", "127.0.0.1:" + metricsPort)) {
            g.awaitTrue("show ipam answers", () -> g.cliResult("show", "ipam", "--json").exit() == 0, () -> "");
            JsonNode ipam = JSON.readTree(g.cli("show", "ipam", "--json"));
            block = ipam.path("summary").path("block").asText();
            // n2 pins 10.244.0.0/24 in the profile: the store never hands it to n1
            assertThat(block).matches("10\\.244\\.[123]\\.0/24");
            assertThat(ipam.path("summary").path("source").asText()).startsWith("file:");
            assertThat(ipam.path("summary").path("usable").asInt()).isEqualTo(253);
            // the PodCIDR is originated like a profile-pinned one
            g.awaitTrue("the block in the RIB", () -> g.cli("show", "routes", "--json").contains(block), () -> "");

            JsonNode a = post(g, socket, "/v1/ipam/allocate", "{\"containerId\":\"c0ffee\",\"ifName\":\"eth0\",\"podNamespace\":\"default\",\"podName\":\"web-1\"}");
            assertThat(a.path("httpStatus").asInt()).isEqualTo(200);
            podAddress = a.path("address").asText();
            String prefix = block.substring(0, block.lastIndexOf('.'));
            assertThat(podAddress).isEqualTo(prefix + ".2/24");
            assertThat(a.path("gateway").asText()).isEqualTo(prefix + ".1");
            // a retried ADD gets the same address
            assertThat(post(g, socket, "/v1/ipam/allocate", "{\"containerId\":\"c0ffee\",\"ifName\":\"eth0\"}").path("address").asText())
                    .isEqualTo(podAddress);
            // bad calls: clear errors, nothing changes
            JsonNode bad = post(g, socket, "/v1/ipam/allocate", "{\"ifName\":\"eth0\"}");
            assertThat(bad.path("httpStatus").asInt()).isEqualTo(400);
            assertThat(bad.path("message").asText()).isEqualTo("request body needs 'containerId'");
            JsonNode fixed = post(g, socket, "/v1/ipam/allocate", "{\"containerId\":\"x\",\"ifName\":\"eth0\",\"fixedIp\":\"db/pg/0\"}");
            assertThat(fixed.path("httpStatus").asInt()).isEqualTo(503);
            assertThat(fixed.path("message").asText()).contains("asks for a fixed IP but the profile names no fixed-IP pool");

            GannetProcess.CliResult reserve = g.cliResult("ipam", "reserve", prefix + ".10", "--note", "lab printer");
            assertThat(reserve.exit()).as(reserve.err()).isZero();
            assertThat(reserve.out()).contains("reserved " + prefix + ".10/24");
            GannetProcess.CliResult outside = g.cliResult("ipam", "reserve", "192.0.2.1");
            assertThat(outside.exit()).isNotZero();
            assertThat(outside.err()).contains("192.0.2.1 is not in this node's block " + block);
            String shown = g.cli("show", "ipam");
            assertThat(shown).contains("block " + block).contains("used 1  reserved 1  free 251")
                    .contains(podAddress).contains("default/web-1").contains("lab printer");
            // /metrics says the same, per block (what GannetPodAddressesLow/Exhausted in deploy/ alert on)
            String text = scrape(metricsPort);
            String b = "block=\"" + block + "\"";
            assertThat(DeployFiles.sample(text, "gannet_ipam_addresses", b)).as(text).isEqualTo(253);
            assertThat(DeployFiles.sample(text, "gannet_ipam_addresses_used", b)).isEqualTo(1);
            assertThat(DeployFiles.sample(text, "gannet_ipam_addresses_reserved", b)).isEqualTo(1);
            assertThat(DeployFiles.sample(text, "gannet_ipam_addresses_free", b)).isEqualTo(251);
            assertThat(DeployFiles.exportedNames(text)).containsAll(DeployFiles.queriedMetrics("gannet_ipam_"));
        }
        // restart: same block, same pod address, the reservation still there
        try (GannetProcess g = GannetProcess.start(null, dir, profile, "n1")) {
            g.awaitTrue("show ipam answers", () -> g.cliResult("show", "ipam", "--json").exit() == 0, () -> "");
            JsonNode ipam = JSON.readTree(g.cli("show", "ipam", "--json"));
            assertThat(ipam.path("summary").path("block").asText()).isEqualTo(block);
            assertThat(ipam.path("ipam").toString()).contains(podAddress).contains("c0ffee").contains("lab printer");
            JsonNode next = post(g, socket, "/v1/ipam/allocate", "{\"containerId\":\"c2\",\"ifName\":\"eth0\"}");
            assertThat(next.path("address").asText()).isNotEqualTo(podAddress);
            JsonNode del = post(g, socket, "/v1/ipam/release", "{\"containerId\":\"c0ffee\",\"ifName\":\"eth0\"}");
            assertThat(del.path("released").asBoolean()).isTrue();
            assertThat(post(g, socket, "/v1/ipam/release", "{\"containerId\":\"c0ffee\",\"ifName\":\"eth0\"}").path("released").asBoolean()).isFalse();
            String prefix = block.substring(0, block.lastIndexOf('.'));
            GannetProcess.CliResult rel = g.cliResult("ipam", "release", prefix + ".10");
            assertThat(rel.out()).contains("released " + prefix + ".10/24");
        }
    }

    /**
     * A dual-stack node's control API allocates an address of each block, as the CNI plugin's
     * ADD does; DEL releases both; an operator reserves and releases an IPv6 address in the IPv6
     * block. Before, the API served only the IPv4 block: the pod got no IPv6 address and an
     * IPv6 reserve was "not in this node's block".
     */
    @Test
    void aDualStackNodesApiAllocatesReservesAndReleasesInBothBlocks() throws Exception {
        Path profile = dir.resolve("dual.yaml");
        Files.writeString(profile, """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: ipam-dual}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool:
                    - {cidr: 10.244.0.0/16, prefixLength: 24}
                    - {cidr: "fd00:10:244::/56", prefixLength: 64}
                  bgp: {passive: true}     # no connection to the switch addresses (no traffic off loopback)
                  bfd: {enabled: false}
                  inventory:
                    switches:
                      - {name: sw1, addresses: [127.0.0.2, "fd00:7::2"], port: %d, asn: 4200000100}
                    hosts:
                      - {name: n1, address: [127.0.0.1, "::1"], port: %d, podCIDR: [10.244.7.0/24, "fd00:10:244:7::/64"]}
                """.formatted(freePort(), freePort()));
        Path socket = dir.resolve("gannet.sock");
        try (GannetProcess g = GannetProcess.start(null, dir, profile, "n1")) {
            g.awaitTrue("show ipam answers", () -> g.cliResult("show", "ipam", "--json").exit() == 0, () -> "");
            JsonNode a = post(g, socket, "/v1/ipam/allocate", "{\"containerId\":\"d1\",\"ifName\":\"eth0\",\"podNamespace\":\"default\",\"podName\":\"web-1\"}");
            assertThat(a.path("httpStatus").asInt()).as(a.toString()).isEqualTo(200);
            assertThat(a.path("ip").asText()).startsWith("10.244.7.");
            assertThat(a.path("ips")).hasSize(2);
            String v6 = a.path("ips").get(1).path("ip").asText();
            assertThat(v6).startsWith("fd00:10:244:7:");
            assertThat(a.path("ips").get(1).path("prefixLength").asInt()).isEqualTo(64);
            assertThat(a.path("ips").get(1).path("pod").asText()).isEqualTo("default/web-1");
            // a retried ADD gets the same two
            JsonNode again = post(g, socket, "/v1/ipam/allocate", "{\"containerId\":\"d1\",\"ifName\":\"eth0\"}");
            assertThat(again.path("ips").get(1).path("ip").asText()).isEqualTo(v6);
            assertThat(g.cli("show", "ipam")).contains(a.path("ip").asText()).contains(v6);

            GannetProcess.CliResult reserve = g.cliResult("ipam", "reserve", "fd00:10:244:7::99", "--note", "router");
            assertThat(reserve.exit()).as(reserve.err()).isZero();
            assertThat(reserve.out()).contains("fd00:10:244:7::99/64");
            GannetProcess.CliResult outside = g.cliResult("ipam", "reserve", "2001:db8::1");
            assertThat(outside.exit()).isNotZero();
            assertThat(outside.err()).contains("2001:db8::1 is not in this node's blocks 10.244.7.0/24 and fd00:10:244:7::/64");
            GannetProcess.CliResult rel = g.cliResult("ipam", "release", "fd00:10:244:7::99");
            assertThat(rel.exit()).as(rel.err()).isZero();
            assertThat(rel.out()).contains("released fd00:10:244:7::99/64");

            JsonNode del = post(g, socket, "/v1/ipam/release", "{\"containerId\":\"d1\",\"ifName\":\"eth0\"}");
            assertThat(del.path("released").asBoolean()).isTrue();
            assertThat(del.path("addresses")).hasSize(2);
            JsonNode ipam = JSON.readTree(g.cli("show", "ipam", "--json"));
            assertThat(ipam.path("ipam").toString()).doesNotContain(v6).doesNotContain("d1");
        }
    }
}
