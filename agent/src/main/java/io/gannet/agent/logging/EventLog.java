package io.gannet.agent.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The daemon's structured event log: one line per state change, with who, from, to and why.
 *
 * <pre>
 * ts=2026-11-22T14:47:11.042Z level=info event=bgp_peer_state peer=tor1 neighbor=10.0.0.1 from=OpenConfirm to=Established reason="KEEPALIVE received"
 * ts=2026-11-22T14:48:02.510Z level=warn event=bgp_peer_state peer=tor1 neighbor=10.0.0.1 from=Established to=Idle reason="hold timer expired"
 * ts=2026-11-22T14:48:03.001Z level=warn event=network_error peer=tor1 neighbor=10.0.0.1 op=connect error="Connection refused"
 * </pre>
 *
 * <p>Threads: any thread may call any method; a call formats one line on the caller's thread
 * and hands it to the sink ({@link AsyncLogSink} never blocks).
 */
public final class EventLog {
    private final LogSink sink;
    private final LogFormat format;
    private final InstantSource clock;

    public EventLog(LogSink sink, LogFormat format, InstantSource clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.format = Objects.requireNonNull(format, "format");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public LogFormat format() {
        return format;
    }

    /** A BGP session changed FSM state (RFC 4271 8.2.2). Leaving Established is a warning. */
    public void peerStateChanged(String peer, String neighbor, String from, String to, String reason) {
        LogLevel level = "Established".equals(from) ? LogLevel.WARN : LogLevel.INFO;
        emit(level, "bgp_peer_state", "peer", peer, "neighbor", neighbor, "from", from, "to", to, "reason", reason);
    }

    /** A BFD session changed state (RFC 5880); {@code diagnostic} is the RFC 5880 4.1 diagnostic text. */
    public void bfdStateChanged(String peerAddress, String client, String from, String to, String diagnostic) {
        LogLevel level = "Up".equals(from) ? LogLevel.WARN : LogLevel.INFO;
        emit(level, "bfd_session_state", "peer_address", peerAddress, "client", client, "from", from, "to", to,
                "reason", diagnostic);
    }

    /**
     * A NOTIFICATION was sent or received (RFC 4271 4.5), with its decoded meaning and, for a
     * Cease with a shutdown communication, the RFC 8203 text.
     */
    public void notification(String peer, String direction, int code, int subcode, String meaning, String communication) {
        emit(LogLevel.WARN, "bgp_notification", "peer", peer, "direction", direction, "code", Integer.toString(code),
                "subcode", Integer.toString(subcode), "reason", meaning, "communication", communication);
    }

    /** An operator command changed something (peer disable, announce, reload ...). */
    public void operatorAction(String action, String target, String detail) {
        emit(LogLevel.INFO, "operator_action", "action", action, "target", target, "reason", detail);
    }

    /**
     * An operator command reached the control API (announce, withdraw, peer ..., reload),
     * done or refused: who sent it ({@code unix uid=0 pid=4242}, {@code tcp token=ops}), what,
     * and the outcome ({@code ok}, {@code refused} for 4xx, {@code failed} for 5xx) with the
     * message the operator was given. A refused command is a warning.
     */
    public void operatorCommand(String who, String via, String action, String target, int status, String message) {
        String outcome = status < 300 ? "ok" : status < 500 ? "refused" : "failed";
        emit(status < 300 ? LogLevel.INFO : LogLevel.WARN, "operator_command", "who", who, "via", via, "action", action, "target", target, "outcome", outcome,
                "status", Integer.toString(status), "reason", message);
    }

    /**
     * The daemon could not start: the one line a supervisor (systemd, a log shipper) sees, in
     * the configured format, with the operator's message.
     */
    public void startFailed(String node, String message) {
        emit(LogLevel.ERROR, "start_failed", "node", node, "reason", message);
    }

    /**
     * A network operation failed. Expected errors (see {@link ExpectedErrors}) become one line
     * without a stack trace; others are errors and carry the stack trace in a field.
     */
    public void networkError(String peer, String neighbor, String operation, Throwable error) {
        if (ExpectedErrors.isExpected(error)) {
            emit(LogLevel.WARN, "network_error", "peer", peer, "neighbor", neighbor, "op", operation,
                    "error", ExpectedErrors.describe(error));
        } else {
            emit(LogLevel.ERROR, "unexpected_error", "peer", peer, "neighbor", neighbor, "op", operation,
                    "error", ExpectedErrors.describe(error), "stack", stackTrace(error));
        }
    }

    /** Any other event: {@code keyValues} alternates key and value; keys are code-chosen identifiers. */
    public void event(LogLevel level, String event, String... keyValues) {
        emit(level, event, keyValues);
    }

    private void emit(LogLevel level, String event, String... keyValues) {
        List<String> f = new ArrayList<>(6 + keyValues.length);
        f.add("ts");
        f.add(Instant.ofEpochMilli(clock.millis()).toString());
        f.add("level");
        f.add(level.text());
        f.add("event");
        f.add(event);
        for (String kv : keyValues) {
            f.add(kv);
        }
        sink.write(LineEncoder.encode(format, f));
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString().stripTrailing();
    }
}
