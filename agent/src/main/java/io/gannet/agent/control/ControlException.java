package io.gannet.agent.control;

import java.util.Objects;

/**
 * The one typed error of the control surface. A method of {@link DaemonView} or {@link
 * DaemonControl} that cannot do what it was asked throws this and changes nothing; the API
 * maps {@link Kind#httpStatus()} and {@link Kind#code()} to a JSON error body, and the CLI
 * prints {@link #getMessage()} as is, so the message must make sense to an operator on its
 * own ("no peer named 'tor3' (known: tor1, tor2)").
 */
public final class ControlException extends RuntimeException {

    /** What went wrong, with its HTTP status and a stable machine-readable code. */
    public enum Kind {
        BAD_REQUEST(400, "bad_request"),
        UNAUTHORIZED(401, "unauthorized"),
        FORBIDDEN(403, "forbidden"),
        UNKNOWN_PEER(404, "unknown_peer"),
        UNKNOWN_PREFIX(404, "unknown_prefix"),
        NOT_FOUND(404, "not_found"),
        METHOD_NOT_ALLOWED(405, "method_not_allowed"),
        CONFLICT(409, "conflict"),
        PAYLOAD_TOO_LARGE(413, "payload_too_large"),
        UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type"),
        INVALID_CONFIG(422, "invalid_config"),
        INTERNAL(500, "internal_error"),
        NOT_AVAILABLE(501, "not_available"),
        UNAVAILABLE(503, "daemon_unavailable");

        private final int httpStatus;
        private final String code;

        Kind(int httpStatus, String code) {
            this.httpStatus = httpStatus;
            this.code = code;
        }

        public int httpStatus() {
            return httpStatus;
        }

        public String code() {
            return code;
        }
    }

    private final Kind kind;

    public ControlException(Kind kind, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public Kind kind() {
        return kind;
    }

    public static ControlException badRequest(String message) {
        return new ControlException(Kind.BAD_REQUEST, message);
    }

    public static ControlException unknownPeer(String name, Iterable<String> known) {
        return new ControlException(Kind.UNKNOWN_PEER,
                "no peer named '" + name + "' (known: " + String.join(", ", known) + ")");
    }

    public static ControlException unknownPrefix(IpPrefix prefix) {
        return new ControlException(Kind.UNKNOWN_PREFIX, "no route for " + prefix + " in the RIB");
    }

    /** For the optional sections (vips, services, policy, ipam) until their part lands. */
    public static ControlException notAvailable(String section) {
        return new ControlException(Kind.NOT_AVAILABLE, section + ": not available in this build");
    }
}
