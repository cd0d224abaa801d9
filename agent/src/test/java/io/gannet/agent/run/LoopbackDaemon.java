package io.gannet.agent.run;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A daemon for control-API tests that need no switch and no root: the demo's shape (node1 on
 * 127.0.0.1, one switch sw1 on 127.0.0.2 that nobody answers for), with ports picked free per
 * run so that parallel runs never collide. Its session to sw1 stays in Connect/Active.
 */
final class LoopbackDaemon {
    static final String POD_CIDR = "10.244.1.0/24";

    private LoopbackDaemon() {}

    /** A free TCP port on loopback (free when asked; the test binds it soon after). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Writes the profile into {@code dir}/profile.yaml and returns its path. */
    static Path profile(Path dir) throws IOException {
        String yaml = """
                apiVersion: gannet.io/v1alpha1
                kind: TopologyProfile
                metadata: {name: loopback}
                spec:
                  model: ebgp-leaf
                  asn: {scheme: per-node, base: 4200000001}
                  podCIDRPool: {cidr: 10.244.0.0/16, prefixLength: 24}
                  bgp: {holdTime: 9, connectRetry: 30}
                  bfd: {enabled: false}
                  inventory:
                    switches:
                      - {name: sw1, addresses: [127.0.0.2], port: %d, asn: 4200000100}
                    hosts:
                      - {name: node1, address: 127.0.0.1, port: %d, podCIDR: %s}
                """.formatted(freePort(), freePort(), POD_CIDR);
        Path p = dir.resolve("profile.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    /** Starts the daemon and waits until its control socket answers {@code show peers}. */
    static GannetProcess start(Path dir, String... extraRunArgs) throws Exception {
        GannetProcess g = GannetProcess.start(null, dir, profile(dir), "node1", extraRunArgs);
        g.awaitTrue("the control socket to answer", () -> g.cliResult("show", "peers").exit() == 0,
                Duration.ofSeconds(90), Duration.ofMillis(250), () -> "");
        return g;
    }
}
