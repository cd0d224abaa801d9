package io.gannet.agent.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    @Option(names = "--control-port", paramLabel = "PORT", defaultValue = "${env:GANNET_CONTROL_PORT}",
            description = {"Use the daemon's TCP port 127.0.0.1:PORT, not the",
                "socket (default: $GANNET_CONTROL_PORT); needs a token."})
    Integer controlPort;

    @Option(names = "--token-file", paramLabel = "FILE", defaultValue = "${env:GANNET_TOKEN_FILE}",
            description = {"Bearer token for --control-port: a file with the",
                "token alone or a 'NAME SCOPE TOKEN' line (default:",
                "$GANNET_TOKEN_FILE, or the token in $GANNET_TOKEN)."})
    Path tokenFile;

    public Path socket() {
        return socket;
    }

    public boolean json() {
        return json;
    }

    /** The client these options ask for: the Unix socket, or the TCP port with its token. */
    ControlClient client() throws DaemonUnreachableException {
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        if (controlPort == null) {
            return new ControlClient(socket, timeout);
        }
        return ControlClient.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), controlPort), token(), timeout);
    }

    private String token() throws DaemonUnreachableException {
        if (tokenFile == null) {
            String env = System.getenv("GANNET_TOKEN");
            return env == null || env.isBlank() ? null : env.strip();
        }
        try {
            for (String line : Files.readAllLines(tokenFile)) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    String[] f = l.split("\\s+");
                    return f[f.length - 1];
                }
            }
        } catch (IOException e) {
            throw new DaemonUnreachableException("cannot read token file " + tokenFile + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()));
        }
        throw new DaemonUnreachableException("token file " + tokenFile + " holds no token");
    }
}
