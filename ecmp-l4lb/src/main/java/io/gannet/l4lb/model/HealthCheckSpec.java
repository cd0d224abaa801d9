package io.gannet.l4lb.model;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a backend's health is checked. A backend is healthy after {@code rise} successful
 * probes in a row and unhealthy after {@code fall} failed ones (HAProxy's and keepalived's
 * rule); it starts unhealthy, so a VIP is announced only once a backend has proved itself.
 *
 * @param type           the probe
 * @param port           port probed; 0 = the backend's own port
 * @param path           HTTP(S) request path
 * @param expectStatus   HTTP(S) status that counts as healthy
 * @param command        EXEC: argv; the backend is passed as GANNET_BACKEND_ADDR and GANNET_BACKEND_PORT
 * @param udpPayload     UDP: bytes sent; healthy when any reply arrives within the timeout
 * @param interval       time between probes of one backend
 * @param timeout        how long one probe may take (at most the interval)
 * @param rise           successes in a row to become healthy
 * @param fall           failures in a row to become unhealthy
 */
public record HealthCheckSpec(Type type, int port, String path, int expectStatus, List<String> command, String udpPayload,
        Duration interval, Duration timeout, int rise, int fall) {

    /** The probes there are. */
    public enum Type {
        /** TCP connect (three-way handshake), then close. */
        TCP,
        /** HTTP/1.1 GET, expected status. */
        HTTP,
        /** HTTP GET over TLS (certificate not verified: backends are addressed by IP). */
        HTTPS,
        /** A datagram; healthy when a reply arrives (an ICMP port unreachable fails at once). */
        UDP,
        /** A command; healthy when it exits 0 within the timeout. */
        EXEC,
        /** No probe: every backend of the EndpointSlice counts as healthy. */
        NONE;
    }

    public static final HealthCheckSpec DEFAULT_TCP = new HealthCheckSpec(Type.TCP, 0, "/", 200, List.of(), "",
            Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 3);

    public HealthCheckSpec {
        Objects.requireNonNull(type, "type");
        command = List.copyOf(command);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("health-check port " + port + " out of range 1-65535");
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("health-check interval must be positive");
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException("health-check timeout " + timeout.toMillis()
                    + " ms must be positive and at most the interval (" + interval.toMillis() + " ms)");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("health-check rise and fall must be at least 1");
        }
        if (type == Type.EXEC && command.isEmpty()) {
            throw new IllegalArgumentException("an exec health check needs a command");
        }
        if (expectStatus < 100 || expectStatus > 599) {
            throw new IllegalArgumentException("expected HTTP status " + expectStatus + " is not 100-599");
        }
    }

    /** The port probed for a backend listening on {@code backendPort}. */
    public int portFor(int backendPort) {
        return port == 0 ? backendPort : port;
    }

    /** Short form for {@code show vips}: "tcp", "http GET /healthz -> 200", "exec check.sh". */
    public String describe() {
        String what = switch (type) {
            case TCP -> "tcp";
            case UDP -> "udp";
            case HTTP, HTTPS -> type.name().toLowerCase(java.util.Locale.ROOT) + " GET " + path + " -> " + expectStatus;
            case EXEC -> "exec " + String.join(" ", command);
            case NONE -> "none";
        };
        if (type == Type.NONE) {
            return what;
        }
        return what + (port == 0 ? "" : " port " + port) + " every " + interval.toMillis() + " ms, timeout "
                + timeout.toMillis() + " ms, rise " + rise + ", fall " + fall;
    }
}
