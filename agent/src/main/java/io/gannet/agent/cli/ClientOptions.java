package io.gannet.agent.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every client command takes. */
public final class ClientOptions {
    @Option(names = "--socket", paramLabel = "PATH",
            defaultValue = "${env:GANNET_SOCKET:-/run/gannet/gannet.sock}",
            description = "The daemon's control socket (default: $GANNET_SOCKET or /run/gannet/gannet.sock).")
    Path socket;

    @Option(names = "--json", description = "Print the control API's JSON instead of a table.")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the daemon's answer (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    public Path socket() {
        return socket;
    }

    public boolean json() {
        return json;
    }
}
