package io.gannet.bgp.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

/**
 * ExaBGP 4 with a test's config, run in the foreground as root with its API pipes and CLI
 * off. ExaBGP connects to the port in {@code exabgp.tcp.port} and does not listen.
 */
final class ExaBgpDaemon extends ExternalDaemon {
    private final int port;

    ExaBgpDaemon(String config, int peerPort) throws IOException {
        super("exabgp");
        this.port = peerPort;
        Files.writeString(dir.resolve("exabgp.conf"), config);
        startProcess();
    }

    @Override
    protected List<String> command() {
        return List.of("env", "exabgp.daemon.user=root", "exabgp.daemon.daemonize=false", "exabgp.api.cli=false",
                "exabgp.tcp.bind=", "exabgp.tcp.port=" + port, "exabgp.log.destination=stdout", "exabgp.log.packets=true",
                "exabgp.log.message=true", "exabgp", dir.resolve("exabgp.conf").toString());
    }
}
