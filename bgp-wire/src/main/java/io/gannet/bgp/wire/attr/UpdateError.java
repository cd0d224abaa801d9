package io.gannet.bgp.wire.attr;

/**
 * The outcome of a malformed UPDATE as a value (RFC 7606): what to do, and the NOTIFICATION it
 * would carry (RFC 4271 6.3 code 3 = UPDATE Message Error, with subcode and data) when the action
 * is a session reset, or the reason to log otherwise.
 *
 * @param code    NOTIFICATION error code (3 for every UPDATE error)
 * @param subcode RFC 4271 6.3 subcode
 * @param data    NOTIFICATION data: the offending attribute (flags, type, length, value) or type code
 * @param action  the RFC 7606 approach that applies
 * @param reason  human-readable reason for logs and counters
 */
public record UpdateError(int code, int subcode, byte[] data, Action action, String reason) {
    public static final int UPDATE_MESSAGE_ERROR = 3;
    public static final int MALFORMED_ATTRIBUTE_LIST = 1;
    public static final int UNRECOGNIZED_WELL_KNOWN = 2;
    public static final int MISSING_WELL_KNOWN = 3;
    public static final int ATTRIBUTE_FLAGS_ERROR = 4;
    public static final int ATTRIBUTE_LENGTH_ERROR = 5;
    public static final int INVALID_ORIGIN = 6;
    public static final int INVALID_NEXT_HOP = 8;
    public static final int OPTIONAL_ATTRIBUTE_ERROR = 9;
    public static final int INVALID_NETWORK_FIELD = 10;
    public static final int MALFORMED_AS_PATH = 11;

    /** RFC 7606 2 error-handling approaches, least to most severe. */
    public enum Action {
        /** Drop the malformed attribute, keep the route (RFC 7606 2 "attribute discard"). */
        ATTRIBUTE_DISCARD,
        /** Treat every route in the UPDATE as withdrawn (RFC 7606 2 "treat-as-withdraw"). */
        TREAT_AS_WITHDRAW,
        /** Send the NOTIFICATION and close the session (RFC 4271 6; RFC 7606 keeps it where NLRI cannot be located). */
        SESSION_RESET
    }

    public UpdateError {
        data = data == null ? new byte[0] : data;
    }

    static UpdateError of(Action action, int subcode, byte[] data, String reason) {
        return new UpdateError(UPDATE_MESSAGE_ERROR, subcode, data, action, reason);
    }

    /** For the operator's log: the reason and what was done about it. */
    public String describe() {
        return reason + switch (action) {
            case ATTRIBUTE_DISCARD -> ": attribute discarded, the routes kept (RFC 7606)";
            case TREAT_AS_WITHDRAW -> ": its routes treated as withdrawn (RFC 7606)";
            case SESSION_RESET -> ": session reset with NOTIFICATION " + code + "/" + subcode;
        };
    }

    @Override
    public String toString() {
        return "UpdateError[" + action + " " + code + "/" + subcode + " " + reason + "]";
    }
}
