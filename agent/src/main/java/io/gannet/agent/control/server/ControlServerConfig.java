package io.gannet.agent.control.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Where and how the control server listens. The one home of its defaults.
 *
 * @param unixSocket        the control socket, or null for none
 * @param socketPermissions mode of the socket file (connecting needs write permission):
 *                          0660 by default, so root and the socket's group may use it
 * @param controlTcp        an optional loopback TCP address for the whole API, or null
 * @param metricsTcp        an optional TCP address that serves only /metrics, or null
 * @param workerThreads     threads that call the daemon (they may wait for its owner thread)
 * @param workerQueue       requests waiting for a worker before new ones get 503
 * @param idleTimeout       idle connections are closed after this long
 * @param tokens            the bearer tokens the control TCP port accepts; required when
 *                          {@code controlTcp} is set (the port has no file permissions to guard it)
 * @param socketGroup       the group the socket file is given (its members may use the API),
 *                          or null to keep the daemon's own group
 */
public record ControlServerConfig(
        Path unixSocket,
        Set<PosixFilePermission> socketPermissions,
        InetSocketAddress controlTcp,
        InetSocketAddress metricsTcp,
        int workerThreads,
        int workerQueue,
        Duration idleTimeout,
        ControlTokens tokens,
        String socketGroup) {

    /** Where the daemon listens and the CLI connects unless told otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/gannet/gannet.sock");

    public ControlServerConfig {
        Objects.requireNonNull(socketPermissions, "socketPermissions");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        socketPermissions = Set.copyOf(socketPermissions);
        if (unixSocket == null && controlTcp == null && metricsTcp == null) {
            throw new IllegalArgumentException("the control server needs at least one listener");
        }
        if (controlTcp != null && (controlTcp.getAddress() == null || !controlTcp.getAddress().isLoopbackAddress())) {
            // Even with bearer tokens the port stays on loopback: tokens travel in clear text
            // (no TLS), so they must not cross a network.
            throw new IllegalArgumentException("the control TCP port must be on a loopback address, got " + controlTcp);
        }
        if (workerThreads < 1 || workerQueue < 1) {
            throw new IllegalArgumentException("workerThreads and workerQueue must be at least 1");
        }
    }

    /** The default socket, no TCP listeners. */
    public static ControlServerConfig defaults() {
        return new ControlServerConfig(DEFAULT_SOCKET, PosixFilePermissions.fromString("rw-rw----"), null, null,
                2, 64, Duration.ofSeconds(60), null, null);
    }

    public ControlServerConfig withUnixSocket(Path path) {
        return new ControlServerConfig(path, socketPermissions, controlTcp, metricsTcp, workerThreads, workerQueue, idleTimeout, tokens, socketGroup);
    }

    public ControlServerConfig withControlTcp(InetSocketAddress address) {
        return new ControlServerConfig(unixSocket, socketPermissions, address, metricsTcp, workerThreads, workerQueue, idleTimeout, tokens, socketGroup);
    }

    public ControlServerConfig withMetricsTcp(InetSocketAddress address) {
        return new ControlServerConfig(unixSocket, socketPermissions, controlTcp, address, workerThreads, workerQueue, idleTimeout, tokens, socketGroup);
    }

    public ControlServerConfig withWorkers(int threads, int queue) {
        return new ControlServerConfig(unixSocket, socketPermissions, controlTcp, metricsTcp, threads, queue, idleTimeout, tokens, socketGroup);
    }

    /** Bearer tokens for the control TCP port (see {@link ControlTokens}). */
    public ControlServerConfig withTokens(ControlTokens t) {
        return new ControlServerConfig(unixSocket, socketPermissions, controlTcp, metricsTcp, workerThreads, workerQueue, idleTimeout, t, socketGroup);
    }

    /** The group of the socket file (mode 0660: the group's members may use the API). */
    public ControlServerConfig withSocketGroup(String group) {
        return new ControlServerConfig(unixSocket, socketPermissions, controlTcp, metricsTcp, workerThreads, workerQueue, idleTimeout, tokens, group);
    }
}
