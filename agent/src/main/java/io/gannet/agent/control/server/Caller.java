package io.gannet.agent.control.server;

import java.util.Objects;

/**
 * Who sent a control request, as the audit log names them, and what they may do.
 *
 * @param via      {@code unix} (the control socket), {@code tcp} (the loopback control port)
 *                 or {@code metrics} (the /metrics-only address)
 * @param identity for the socket the peer's credentials ({@code uid=0 pid=4242}, from
 *                 SO_PEERCRED); for TCP the token's name ({@code token=ops-ro}); empty when
 *                 the caller was not identified (no or a wrong token)
 * @param access   what the caller may do
 */
public record Caller(String via, String identity, Access access) {
    /** What a caller may do with the API. */
    public enum Access {
        /** Nothing but /metrics (a TCP client without a valid token, the metrics address). */
        NONE,
        /** GET: every show view. */
        READ,
        /** GET and the POST commands that change the daemon (announce, peer disable, reload...). */
        WRITE
    }

    public Caller {
        Objects.requireNonNull(via, "via");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(access, "access");
    }

    /** The one-field form the audit log uses: {@code unix uid=0 pid=4242}, {@code tcp token=ops-ro}. */
    public String describe() {
        return identity.isEmpty() ? via + " unauthenticated" : via + " " + identity;
    }

    /** A caller on the Unix socket: the socket file's mode and group already decided it may write. */
    public static Caller unixPeer(int uid, int pid) {
        return new Caller("unix", "uid=" + uid + " pid=" + pid, Access.WRITE);
    }
}
