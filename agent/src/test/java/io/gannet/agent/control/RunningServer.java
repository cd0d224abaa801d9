package io.gannet.agent.control;

import io.gannet.agent.control.server.ControlServer;
import io.gannet.agent.control.server.ControlServerConfig;
import io.gannet.agent.metrics.GannetMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.stream.Stream;

/** Test helper: a real control server on a Unix socket in a fresh temp dir, over a {@link FixtureDaemon}. */
public final class RunningServer implements AutoCloseable {
    public final FixtureDaemon daemon;
    public final GannetMetrics metrics;
    public final ControlServer server;
    public final Path dir;
    public final Path socket;

    public RunningServer(FixtureDaemon daemon, InetSocketAddress metricsTcp) {
        this.daemon = daemon;
        try {
            this.dir = Files.createTempDirectory("gannet-ctl");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.socket = dir.resolve("run/gannet.sock");
        this.metrics = GannetMetrics.create(InstantSource.system());
        ControlServerConfig cfg = ControlServerConfig.defaults().withUnixSocket(socket).withMetricsTcp(metricsTcp);
        this.server = ControlServer.start(cfg, daemon, daemon, metrics);
    }

    public RunningServer(FixtureDaemon daemon) {
        this(daemon, null);
    }

    @Override
    public void close() {
        server.close();
        metrics.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
