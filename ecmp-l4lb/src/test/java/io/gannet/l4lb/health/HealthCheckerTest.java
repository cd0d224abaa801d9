package io.gannet.l4lb.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gannet.l4lb.model.HealthCheckSpec;
import io.gannet.l4lb.model.HealthCheckSpec.Type;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real probes against loopback servers, 200 ms intervals (timeouts generous: CI machines are shared). */
class HealthCheckerTest {
    record Change(HealthChecker.Target target, boolean healthy, String detail) {}

    static HealthCheckSpec spec(Type type, int rise, int fall) {
        return new HealthCheckSpec(type, 0, "/healthz", 200, type == Type.EXEC ? List.of("true") : List.of(), "ping",
                Duration.ofMillis(200), Duration.ofMillis(180), rise, fall);
    }

    final LinkedBlockingQueue<Change> changes = new LinkedBlockingQueue<>();

    Change next() throws InterruptedException {
        Change c = changes.poll(5, TimeUnit.SECONDS);
        assertThat(c).as("a health change within 5 s").isNotNull();
        return c;
    }

    @Test
    void tcpRisesAfterRiseSuccessesAndFallsWhenTheListenerGoes() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = server.getLocalPort();
        try (HealthChecker hc = new HealthChecker((t, h, d) -> changes.add(new Change(t, h, d)))) {
            HealthChecker.Target t = new HealthChecker.Target("127.0.0.1", port, spec(Type.TCP, 3, 2));
            assertThat(hc.retain(t)).as("a new backend starts unhealthy").isFalse();
            Change up = next();
            assertThat(up.healthy()).isTrue();
            assertThat(hc.status().get(0).probes()).isGreaterThanOrEqualTo(3);
            server.close();
            Change down = next();
            assertThat(down.healthy()).isFalse();
            assertThat(down.detail()).isEqualTo("connection refused");
            assertThat(hc.healthy(t)).isFalse();
        }
    }

    /**
     * A backend whose SYNs go unanswered (its listener's accept queue is full, so the kernel
     * drops them): the non-blocking connect times out and the backend falls, "timed out".
     */
    @Test
    void tcpFallsWhenTheHandshakeTimesOut() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        List<java.net.Socket> filling = new java.util.ArrayList<>();
        try (server; HealthChecker hc = new HealthChecker((t, h, d) -> changes.add(new Change(t, h, d)))) {
            HealthChecker.Target t = new HealthChecker.Target("127.0.0.1", server.getLocalPort(), spec(Type.TCP, 1, 2));
            hc.retain(t);
            assertThat(next().healthy()).isTrue();
            // Nothing accepts: the queue fills, then the next SYNs are dropped.
            for (int i = 0; i < 4; i++) {
                java.net.Socket c = new java.net.Socket();
                filling.add(c);
                try {
                    c.connect(server.getLocalSocketAddress(), 200);
                } catch (java.net.SocketTimeoutException e) {
                    break; // already full
                }
            }
            Change down = next();
            assertThat(down.healthy()).isFalse();
            assertThat(down.detail()).isEqualTo("timed out");
        } finally {
            for (java.net.Socket c : filling) {
                c.close();
            }
        }
    }

    @Test
    void sharedTargetsProbeOnceAndStopWithTheLastUser() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (server; HealthChecker hc = new HealthChecker((t, h, d) -> changes.add(new Change(t, h, d)))) {
            HealthChecker.Target t = new HealthChecker.Target("127.0.0.1", server.getLocalPort(), spec(Type.TCP, 1, 1));
            hc.retain(t);
            hc.retain(t);
            assertThat(hc.status()).hasSize(1);
            assertThat(next().healthy()).isTrue();
            assertThat(hc.retain(t)).as("a third VIP sees the shared result at once").isTrue();
            hc.release(t);
            hc.release(t);
            assertThat(hc.status()).hasSize(1);
            hc.release(t);
            assertThat(hc.status()).isEmpty();
            long before = hc.probesRun();
            Thread.sleep(600);
            assertThat(hc.probesRun() - before).as("no probes after the last release").isLessThanOrEqualTo(1);
        }
    }

    /**
     * A probe still running when its last user releases the target completes later and reports
     * nothing (the L4LB dropped the endpoint meanwhile). An exec probe held at a gate the test
     * opens after the release: it passes ("passed" written) and is counted, and no change is
     * reported; the target retained again (a new user, a new state) reports its rise.
     */
    @Test
    void aProbeThatCompletesAfterTheReleaseDoesNotReport(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path go = dir.resolve("go");
        java.nio.file.Path started = dir.resolve("started");
        java.nio.file.Path passed = dir.resolve("passed");
        HealthCheckSpec gated = new HealthCheckSpec(Type.EXEC, 0, "/", 200, List.of("sh", "-c",
                "touch '" + started + "'; while [ ! -e '" + go + "' ]; do sleep 0.02; done; touch '" + passed + "'"), "",
                Duration.ofSeconds(3), Duration.ofSeconds(3), 1, 1);
        HealthChecker.Target t = new HealthChecker.Target("127.0.0.9", 81, gated);
        try (HealthChecker hc = new HealthChecker((x, h, d) -> changes.add(new Change(x, h, d)))) {
            assertThat(hc.retain(t)).isFalse();
            await("the probe started within its first interval", () -> java.nio.file.Files.exists(started));
            hc.release(t);
            assertThat(hc.status()).isEmpty();
            java.nio.file.Files.createFile(go);
            await("the released target's probe passed and completed", () -> java.nio.file.Files.exists(passed) && hc.probesRun() == 1);
            Thread.sleep(200); // its report, were there one, follows the count at once on the same thread
            assertThat(changes).as("a passing probe of a released target reports nothing").isEmpty();

            assertThat(hc.retain(t)).as("retained again: a new state, not the dropped result").isFalse();
            assertThat(next()).isEqualTo(new Change(t, true, "ok"));
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(end);
            Thread.sleep(10);
        }
    }

    @Test
    void httpChecksTheStatus() throws Exception {
        AtomicInteger status = new AtomicInteger(200);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(status.get(), -1);
            ex.close();
        });
        http.start();
        try (HealthChecker hc = new HealthChecker((t, h, d) -> changes.add(new Change(t, h, d)))) {
            hc.retain(new HealthChecker.Target("127.0.0.1", http.getAddress().getPort(), spec(Type.HTTP, 2, 2)));
            assertThat(next().healthy()).isTrue();
            status.set(503);
            Change down = next();
            assertThat(down.healthy()).isFalse();
            // a probe that timed out on a loaded machine may have been the last straw: the
            // following probes report the status
            long end = System.nanoTime() + 5_000_000_000L;
            while (!hc.status().get(0).lastResult().equals("status 503, expected 200") && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(hc.status().get(0).lastResult()).isEqualTo("status 503, expected 200");
        } finally {
            http.stop(0);
        }
    }

    /** IPv6 backends are probed by their literal: TCP, HTTP (the URL needs the brackets), UDP and exec. */
    @Test
    void ipv6LiteralsAreProbedByEveryCheck() throws Exception {
        InetAddress lo6 = InetAddress.getByName("::1");
        HttpServer http = HttpServer.create(new InetSocketAddress(lo6, 0), 0);
        http.createContext("/healthz", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        http.start();
        ServerSocket tcp = new ServerSocket(0, 50, lo6);
        DatagramSocket echo = new DatagramSocket(0, lo6);
        Thread t = Thread.ofVirtual().start(() -> {
            byte[] b = new byte[512];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                }
            } catch (java.io.IOException e) {
                // closed
            }
        });
        HealthCheckSpec exec = new HealthCheckSpec(Type.EXEC, 0, "/", 200,
                List.of("sh", "-c", "test \"$GANNET_BACKEND_ADDR:$GANNET_BACKEND_PORT\" = ::1:81"), "",
                Duration.ofMillis(200), Duration.ofMillis(180), 1, 1);
        try (HealthChecker hc = new HealthChecker((x, h, d) -> changes.add(new Change(x, h, d)))) {
            List<HealthChecker.Target> targets = List.of(
                    new HealthChecker.Target("::1", http.getAddress().getPort(), spec(Type.HTTP, 1, 2)),
                    new HealthChecker.Target("::1", tcp.getLocalPort(), spec(Type.TCP, 1, 2)),
                    new HealthChecker.Target("::1", echo.getLocalPort(), spec(Type.UDP, 1, 2)),
                    new HealthChecker.Target("::1", 81, exec));
            targets.forEach(hc::retain);
            java.util.Set<HealthChecker.Target> up = new java.util.HashSet<>();
            for (int i = 0; i < targets.size(); i++) {
                Change c = next();
                assertThat(c.healthy()).as(c.target() + ": " + c.detail()).isTrue();
                up.add(c.target());
            }
            assertThat(up).containsExactlyInAnyOrderElementsOf(targets);
            http.stop(0);
            Change down = next();
            assertThat(down.target()).isEqualTo(targets.get(0));
            assertThat(down.healthy()).isFalse();
        } finally {
            http.stop(0);
            tcp.close();
            echo.close();
        }
        t.join(1000);
    }

    @Test
    void udpNeedsAReplyAndFailsOnPortUnreachable() throws Exception {
        DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = Thread.ofVirtual().start(() -> {
            byte[] b = new byte[512];
            try {
                while (true) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                }
            } catch (java.io.IOException e) {
                // closed
            }
        });
        int port = echo.getLocalPort();
        try (HealthChecker hc = new HealthChecker((x, h, d) -> changes.add(new Change(x, h, d)))) {
            hc.retain(new HealthChecker.Target("127.0.0.1", port, spec(Type.UDP, 1, 2)));
            assertThat(next().healthy()).isTrue();
            echo.close();
            Change down = next();
            assertThat(down.healthy()).isFalse();
            assertThat(down.detail()).isIn("port unreachable (ICMP)", "timed out");
        }
        t.join(1000);
    }

    @Test
    void execUsesTheExitCodeAndKillsOnTimeout() throws Exception {
        try (HealthChecker hc = new HealthChecker((x, h, d) -> changes.add(new Change(x, h, d)))) {
            HealthCheckSpec ok = new HealthCheckSpec(Type.EXEC, 0, "/", 200,
                    List.of("sh", "-c", "test \"$GANNET_BACKEND_ADDR:$GANNET_BACKEND_PORT\" = 127.0.0.9:81"), "",
                    Duration.ofMillis(500), Duration.ofMillis(400), 1, 1);
            hc.retain(new HealthChecker.Target("127.0.0.9", 81, ok));
            assertThat(next().healthy()).as("the backend reaches the command's environment").isTrue();
            HealthCheckSpec slow = new HealthCheckSpec(Type.EXEC, 0, "/", 200, List.of("sleep", "5"), "",
                    Duration.ofMillis(500), Duration.ofMillis(300), 1, 1);
            HealthCheckSpec failing = new HealthCheckSpec(Type.EXEC, 0, "/", 200, List.of("sh", "-c", "exit 3"), "",
                    Duration.ofMillis(500), Duration.ofMillis(400), 1, 1);
            HealthChecker.Target s = new HealthChecker.Target("127.0.0.9", 81, slow);
            HealthChecker.Target f = new HealthChecker.Target("127.0.0.9", 81, failing);
            hc.retain(s);
            hc.retain(f);
            Thread.sleep(1500);
            for (HealthChecker.TargetStatus st : hc.status()) {
                if (st.target().equals(s)) {
                    assertThat(st.healthy()).isFalse();
                    assertThat(st.lastResult()).isEqualTo("timed out");
                } else if (st.target().equals(f)) {
                    assertThat(st.lastResult()).isEqualTo("exit 3");
                }
            }
        }
    }

    @Test
    void riseFallCounting() {
        RiseFall rf = new RiseFall(2, 3);
        assertThat(rf.record(true)).isFalse();
        assertThat(rf.record(false)).isFalse();
        assertThat(rf.record(true)).isFalse();
        assertThat(rf.record(true)).isTrue();
        assertThat(rf.healthy()).isTrue();
        assertThat(rf.record(false)).isFalse();
        assertThat(rf.record(false)).isFalse();
        assertThat(rf.record(true)).as("a success resets the fall streak").isFalse();
        rf.record(false);
        rf.record(false);
        assertThat(rf.record(false)).isTrue();
        assertThat(rf.healthy()).isFalse();
    }
}
