package io.gannet.l4lb.health;

import io.gannet.l4lb.model.HealthCheckSpec;

/**
 * A health probe of one backend. {@link #run} blocks for at most the spec's timeout; the
 * checker calls it on a virtual thread, never on the BGP, datapath or L4LB threads. It
 * never throws: every failure is a {@link ProbeResult} with a reason.
 */
public interface Probe {
    ProbeResult run(String address, int port, HealthCheckSpec spec);

    /** The blocking probe for a check type (not TCP: {@link TcpConnectPoller} connects without a thread each). */
    static Probe of(HealthCheckSpec.Type type) {
        return switch (type) {
            case TCP -> throw new IllegalArgumentException("TCP checks are non-blocking connects: TcpConnectPoller");
            case HTTP, HTTPS -> HttpProbe.shared();
            case UDP -> new UdpProbe();
            case EXEC -> new ExecProbe();
            case NONE -> (a, p, s) -> ProbeResult.OK;
        };
    }

    /** A short reason from an exception, in the user's terms (no class names). */
    static String reason(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.net.SocketTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException) {
            return m == null || m.isBlank() ? "connection refused" : m.toLowerCase(java.util.Locale.ROOT);
        }
        if (e instanceof java.net.PortUnreachableException) {
            return "port unreachable (ICMP)";
        }
        if (e instanceof java.net.NoRouteToHostException) {
            return "no route to host";
        }
        return m == null || m.isBlank() ? "failed" : m.lines().findFirst().orElse("failed");
    }
}
