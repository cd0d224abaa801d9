package io.gannet.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ExaBGP-compatible API against ExaBGP itself: one health-check script written for
 * ExaBGP's process API (src/test/resources/exabgp/healthcheck.sh) drives a real ExaBGP 4 and,
 * unchanged, {@code gannet run --exabgp-process}; an FRR router peering with both must see the
 * same route with the same attributes from each, and see both withdraw it when the check fails.
 * The API's socket ({@code --exabgp-socket}) answers garbage with "error" and keeps the
 * connection.
 */
class ExaBgpApiInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "203.0.113.10/32";

    @TempDir
    Path dir;
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void tearDown() {
        for (AutoCloseable c : cleanup.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                // keep tearing down
            }
        }
    }

    private NetworkNamespace ns(String name) {
        NetworkNamespace n = NetworkNamespace.create(name);
        cleanup.add(n);
        return n;
    }

    @Test
    void theSameScriptDrivesExaBgpAndGannet() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("exabgp");
        Requirements.requireCommand("/usr/lib/frr/bgpd");
        Requirements.requireCommand("vtysh");
        NetworkNamespace r = ns("exr");
        NetworkNamespace e = ns("exe");
        NetworkNamespace g = ns("exg");
        r.exec("ip", "link", "add", "br0", "type", "bridge");
        r.exec("ip", "addr", "add", "10.93.0.1/24", "dev", "br0");
        r.exec("ip", "link", "set", "br0", "up");
        int i = 0;
        for (NetworkNamespace n : List.of(e, g)) {
            NetworkNamespace.Shell.run("ip", "link", "add", "eth0", "netns", n.name(), "type", "veth", "peer", "name", "x" + i,
                    "netns", r.name());
            r.exec("ip", "link", "set", "x" + i, "master", "br0");
            r.exec("ip", "link", "set", "x" + i, "up");
            n.exec("ip", "addr", "add", "10.93.0." + (i + 2) + "/24", "dev", "eth0");
            n.exec("ip", "link", "set", "eth0", "up");
            i++;
        }
        FrrRouter rtr = FrrRouter.start(r, dir.resolve("frr"), """
                router bgp 64512
                 bgp router-id 10.93.0.1
                 no bgp default ipv4-unicast
                 neighbor 10.93.0.2 remote-as 64512
                 neighbor 10.93.0.2 timers connect 1
                 neighbor 10.93.0.3 remote-as 64512
                 neighbor 10.93.0.3 timers connect 1
                 address-family ipv4 unicast
                  neighbor 10.93.0.2 activate
                  neighbor 10.93.0.3 activate
                 exit-address-family
                exit
                """);
        cleanup.add(rtr);

        Path script = dir.resolve("healthcheck.sh");
        Files.copy(Path.of(getClass().getResource("/exabgp/healthcheck.sh").toURI()), script);
        Path flag = dir.resolve("service-up");
        Files.createFile(flag);

        // ExaBGP 4 with the script as its process
        Path conf = dir.resolve("exabgp.conf");
        Files.writeString(conf, """
                process healthcheck {
                    run /bin/sh %s %s %s;
                    encoder text;
                }
                neighbor 10.93.0.1 {
                    router-id 10.93.0.2;
                    local-address 10.93.0.2;
                    local-as 64512;
                    peer-as 64512;
                    api { processes [ healthcheck ]; }
                }
                """.formatted(script, flag, PREFIX));
        ProcessBuilder pb = new ProcessBuilder(e.inside("env", "exabgp.daemon.user=root", "exabgp.daemon.daemonize=false",
                "exabgp.api.ack=true", "exabgp.api.cli=false", "exabgp.log.destination=stdout", "exabgp", conf.toString()));
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("exabgp.log").toFile());
        Process exabgp = pb.start();
        cleanup.add(() -> {
            exabgp.destroy();
            if (!exabgp.waitFor(5, TimeUnit.SECONDS)) {
                exabgp.destroyForcibly();
            }
        });

        // Gannet with the same script, unchanged, and the API socket
        Path profile = dir.resolve("profile.yaml");
        Files.writeString(profile, """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: exabgp-interop}
                spec:
                  model: ibgp-core
                  asn: {scheme: single, base: 64512}
                  vipPool: [203.0.113.0/24]
                  bgp: {holdTime: 9, connectRetry: 1}
                  bfd: {enabled: false}
                  inventory:
                    switches:
                      - {name: rtr, addresses: [10.93.0.1]}
                    hosts:
                      - {name: lb1, address: 10.93.0.3, role: l4lb}
                """);
        Path sock = dir.resolve("exabgp-api.sock");
        GannetProcess gannet = GannetProcess.start(g, Files.createDirectories(dir.resolve("gannet")), profile, "lb1",
                "--exabgp-process", "healthcheck=/bin/sh " + script + " " + flag + " " + PREFIX, "--exabgp-socket", sock.toString());
        cleanup.add(gannet);

        gannet.awaitTrue("FRR has the route from ExaBGP and from Gannet",
                () -> paths(rtr).keySet().containsAll(List.of("10.93.0.2", "10.93.0.3")),
                () -> diagnostics(rtr));
        Map<String, JsonNode> both = paths(rtr);
        for (String peer : List.of("10.93.0.2", "10.93.0.3")) {
            JsonNode p = both.get(peer);
            assertThat(p.path("metric").asLong()).as("MED from %s", peer).isEqualTo(10);
            assertThat(p.path("community").path("string").asText()).as("communities from %s", peer).isEqualTo("65000:100");
            assertThat(p.path("nexthops").path(0).path("ip").asText()).as("next hop self of %s", peer).isEqualTo(peer);
            assertThat(p.path("origin").asText()).isEqualTo(both.get("10.93.0.2").path("origin").asText());
        }
        assertThat(gannet.log()).contains("stderr: ack for up: done");

        // garbage on the socket: "error", nothing changed, the connection stays
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(sock));
            OutputStream out = Channels.newOutputStream(c);
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            for (String bad : List.of("garbage", "announce route 198.51.100.7/32 next-hop self", "announce route 203.0.113.12/32",
                    "frobnicate the router")) {
                out.write((bad + "\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(in.readLine()).as(bad).isEqualTo("error");
            }
            out.write("announce route 203.0.113.12/32 next-hop self\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("done");
            gannet.awaitTrue("the socket's route at FRR", () -> rtr.vtysh("show bgp ipv4 unicast 203.0.113.12/32").contains("10.93.0.3"),
                    () -> diagnostics(rtr));
            assertThat(rtr.vtysh("show bgp ipv4 unicast 198.51.100.7/32")).doesNotContain("10.93.0.3");
        }
        assertThat(gannet.log()).contains("198.51.100.7/32 is outside the profile's VIP pool 203.0.113.0/24");

        // the check fails: both withdraw
        Files.delete(flag);
        gannet.awaitTrue("both withdrew", () -> paths(rtr).isEmpty(), () -> diagnostics(rtr));
        assertThat(gannet.log()).contains("stderr: ack for down: done");
    }

    /** FRR's paths to PREFIX, by the peer that sent them. */
    private static Map<String, JsonNode> paths(FrrRouter rtr) {
        Map<String, JsonNode> out = new TreeMap<>();
        try {
            for (JsonNode p : JSON.readTree(rtr.vtysh("show bgp ipv4 unicast " + PREFIX + " json")).path("paths")) {
                out.put(p.path("peer").path("peerId").asText(), p);
            }
        } catch (java.io.IOException e) {
            // no answer yet
        }
        return out;
    }

    private String diagnostics(FrrRouter rtr) {
        String exa;
        try {
            exa = Files.readString(dir.resolve("exabgp.log"));
        } catch (java.io.IOException e) {
            exa = e.toString();
        }
        return "\n--- FRR: " + rtr.vtysh("show bgp ipv4 unicast summary", "show bgp ipv4 unicast " + PREFIX + " json")
                + "\n--- exabgp log (tail):\n" + (exa.length() > 4000 ? exa.substring(exa.length() - 4000) : exa) + rtr.log();
    }
}
