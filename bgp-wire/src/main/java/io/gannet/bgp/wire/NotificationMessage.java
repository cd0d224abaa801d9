package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * NOTIFICATION (RFC 4271 section 4.5) with every error code and subcode of RFC 4271 6.x,
 * the Cease subcodes of RFC 4486 and the shutdown communication of RFC 8203 / RFC 9003.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Error code    | Error subcode |   Data (variable)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>For Cease / Administrative Shutdown and Administrative Reset the data may be a shutdown
 * communication (RFC 9003 section 2): one length octet, then that many octets of UTF-8 (at
 * most 255).
 */
public record NotificationMessage(int code, int subcode, byte[] data) {
    // Error codes (RFC 4271 4.5, RFC 7313 5, RFC 9687 4).
    public static final int MESSAGE_HEADER_ERROR = 1;
    public static final int OPEN_MESSAGE_ERROR = 2;
    public static final int UPDATE_MESSAGE_ERROR = 3;
    public static final int HOLD_TIMER_EXPIRED = 4;
    public static final int FSM_ERROR = 5;
    public static final int CEASE = 6;
    public static final int ROUTE_REFRESH_ERROR = 7;
    public static final int SEND_HOLD_TIMER_EXPIRED = 8;

    /** Subcode 0 for any code: "unspecific" (RFC 4271 section 4.5). */
    public static final int UNSPECIFIC = 0;

    // Message Header Error subcodes (RFC 4271 6.1).
    public static final int HEADER_CONNECTION_NOT_SYNCHRONIZED = 1;
    public static final int HEADER_BAD_MESSAGE_LENGTH = 2;
    public static final int HEADER_BAD_MESSAGE_TYPE = 3;

    // OPEN Message Error subcodes (RFC 4271 6.2; 7 from RFC 5492; 5 is deprecated).
    public static final int OPEN_UNSUPPORTED_VERSION = 1;
    public static final int OPEN_BAD_PEER_AS = 2;
    public static final int OPEN_BAD_BGP_IDENTIFIER = 3;
    public static final int OPEN_UNSUPPORTED_OPTIONAL_PARAMETER = 4;
    public static final int OPEN_AUTHENTICATION_FAILURE_DEPRECATED = 5;
    public static final int OPEN_UNACCEPTABLE_HOLD_TIME = 6;
    public static final int OPEN_UNSUPPORTED_CAPABILITY = 7;

    // UPDATE Message Error subcodes (RFC 4271 6.3; 7 is deprecated).
    public static final int UPDATE_MALFORMED_ATTRIBUTE_LIST = 1;
    public static final int UPDATE_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE = 2;
    public static final int UPDATE_MISSING_WELL_KNOWN_ATTRIBUTE = 3;
    public static final int UPDATE_ATTRIBUTE_FLAGS_ERROR = 4;
    public static final int UPDATE_ATTRIBUTE_LENGTH_ERROR = 5;
    public static final int UPDATE_INVALID_ORIGIN_ATTRIBUTE = 6;
    public static final int UPDATE_AS_ROUTING_LOOP_DEPRECATED = 7;
    public static final int UPDATE_INVALID_NEXT_HOP_ATTRIBUTE = 8;
    public static final int UPDATE_OPTIONAL_ATTRIBUTE_ERROR = 9;
    public static final int UPDATE_INVALID_NETWORK_FIELD = 10;
    public static final int UPDATE_MALFORMED_AS_PATH = 11;

    // Finite State Machine Error subcodes (RFC 6608 section 3).
    public static final int FSM_UNEXPECTED_IN_OPENSENT = 1;
    public static final int FSM_UNEXPECTED_IN_OPENCONFIRM = 2;
    public static final int FSM_UNEXPECTED_IN_ESTABLISHED = 3;

    // Cease subcodes (RFC 4486 section 4; 9 from RFC 8538, 10 from RFC 9384).
    public static final int CEASE_MAX_PREFIXES = 1;
    public static final int CEASE_ADMIN_SHUTDOWN = 2;
    public static final int CEASE_PEER_DECONFIGURED = 3;
    public static final int CEASE_ADMIN_RESET = 4;
    public static final int CEASE_CONNECTION_REJECTED = 5;
    public static final int CEASE_OTHER_CONFIGURATION_CHANGE = 6;
    public static final int CEASE_CONNECTION_COLLISION = 7;
    public static final int CEASE_OUT_OF_RESOURCES = 8;
    public static final int CEASE_HARD_RESET = 9;
    public static final int CEASE_BFD_DOWN = 10;

    /** RFC 7313 5: ROUTE-REFRESH Message Error subcode 1. */
    public static final int ROUTE_REFRESH_INVALID_LENGTH = 1;

    /** RFC 9003 section 2: the communication is at most 255 octets of UTF-8. */
    public static final int MAX_COMMUNICATION_BYTES = 255;

    public NotificationMessage {
        data = data == null ? new byte[0] : data.clone();
    }

    public NotificationMessage(int code, int subcode) {
        this(code, subcode, null);
    }

    /**
     * Cease / Administrative Shutdown or Reset with a shutdown communication (RFC 9003 2).
     * The text is sanitised first ({@link #sanitize}): the peer's operator reads it in logs and
     * CLIs (RFC 9003 section 5, "Security Considerations"). A message longer than 255 octets is
     * cut at a UTF-8 character boundary.
     */
    public static NotificationMessage cease(int subcode, String communication) {
        if (communication == null || communication.isEmpty()
                || (subcode != CEASE_ADMIN_SHUTDOWN && subcode != CEASE_ADMIN_RESET)) {
            return new NotificationMessage(CEASE, subcode);
        }
        byte[] utf8 = truncateUtf8(sanitize(communication), MAX_COMMUNICATION_BYTES);
        byte[] data = new byte[utf8.length + 1];
        data[0] = (byte) utf8.length;
        System.arraycopy(utf8, 0, data, 1, utf8.length);
        return new NotificationMessage(CEASE, subcode, data);
    }

    /**
     * The shutdown communication of an Administrative Shutdown/Reset, or null when there is
     * none or it is malformed (RFC 9003 section 4: a bad length or invalid UTF-8 is not an
     * error, the communication is just not shown as text).
     */
    public String communication() {
        if (code != CEASE || (subcode != CEASE_ADMIN_SHUTDOWN && subcode != CEASE_ADMIN_RESET) || data.length == 0) {
            return null;
        }
        int len = data[0] & 0xff;
        if (len == 0 || len > data.length - 1) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data, 1, len)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Decodes a body (the bytes after the header). Any body of 2 or more bytes is valid. */
    public static NotificationMessage decode(ByteBuf body) throws BgpError {
        if (body.readableBytes() < 2) {
            byte[] len = {0, (byte) (MessageHeader.LENGTH + body.readableBytes())};
            throw new BgpError(MESSAGE_HEADER_ERROR, HEADER_BAD_MESSAGE_LENGTH, len, "NOTIFICATION too short");
        }
        int i = body.readerIndex();
        byte[] data = new byte[body.readableBytes() - 2];
        body.getBytes(i + 2, data);
        return new NotificationMessage(body.getUnsignedByte(i), body.getUnsignedByte(i + 1), data);
    }

    public void writeTo(ByteBuf out) {
        int start = MessageHeader.start(out, MessageType.NOTIFICATION);
        out.writeByte(code).writeByte(subcode).writeBytes(data);
        MessageHeader.finish(out, start);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(MessageHeader.MIN_NOTIFICATION_LENGTH + data.length);
        writeTo(out);
        return out;
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotificationMessage n && n.code == code && n.subcode == subcode && Arrays.equals(n.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * code + subcode) + Arrays.hashCode(data);
    }

    /** "6/2 Cease/Administrative Shutdown" plus the communication, for logs and status. */
    @Override
    public String toString() {
        String text = code + "/" + subcode + " " + codeName(code) + "/" + subcodeName(code, subcode);
        String comm = communication();
        return comm == null ? text : text + " \"" + comm + "\"";
    }

    public static String codeName(int code) {
        return switch (code) {
            case MESSAGE_HEADER_ERROR -> "Message Header Error";
            case OPEN_MESSAGE_ERROR -> "OPEN Message Error";
            case UPDATE_MESSAGE_ERROR -> "UPDATE Message Error";
            case HOLD_TIMER_EXPIRED -> "Hold Timer Expired";
            case FSM_ERROR -> "Finite State Machine Error";
            case CEASE -> "Cease";
            case ROUTE_REFRESH_ERROR -> "ROUTE-REFRESH Message Error";
            case SEND_HOLD_TIMER_EXPIRED -> "Send Hold Timer Expired";
            default -> "code " + code;
        };
    }

    public static String subcodeName(int code, int subcode) {
        if (subcode == UNSPECIFIC) {
            return "Unspecific";
        }
        return switch (code) {
            case MESSAGE_HEADER_ERROR -> switch (subcode) {
                case HEADER_CONNECTION_NOT_SYNCHRONIZED -> "Connection Not Synchronized";
                case HEADER_BAD_MESSAGE_LENGTH -> "Bad Message Length";
                case HEADER_BAD_MESSAGE_TYPE -> "Bad Message Type";
                default -> "subcode " + subcode;
            };
            case OPEN_MESSAGE_ERROR -> switch (subcode) {
                case OPEN_UNSUPPORTED_VERSION -> "Unsupported Version Number";
                case OPEN_BAD_PEER_AS -> "Bad Peer AS";
                case OPEN_BAD_BGP_IDENTIFIER -> "Bad BGP Identifier";
                case OPEN_UNSUPPORTED_OPTIONAL_PARAMETER -> "Unsupported Optional Parameter";
                case OPEN_AUTHENTICATION_FAILURE_DEPRECATED -> "Authentication Failure (deprecated)";
                case OPEN_UNACCEPTABLE_HOLD_TIME -> "Unacceptable Hold Time";
                case OPEN_UNSUPPORTED_CAPABILITY -> "Unsupported Capability";
                default -> "subcode " + subcode;
            };
            case UPDATE_MESSAGE_ERROR -> switch (subcode) {
                case UPDATE_MALFORMED_ATTRIBUTE_LIST -> "Malformed Attribute List";
                case UPDATE_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE -> "Unrecognized Well-known Attribute";
                case UPDATE_MISSING_WELL_KNOWN_ATTRIBUTE -> "Missing Well-known Attribute";
                case UPDATE_ATTRIBUTE_FLAGS_ERROR -> "Attribute Flags Error";
                case UPDATE_ATTRIBUTE_LENGTH_ERROR -> "Attribute Length Error";
                case UPDATE_INVALID_ORIGIN_ATTRIBUTE -> "Invalid ORIGIN Attribute";
                case UPDATE_AS_ROUTING_LOOP_DEPRECATED -> "AS Routing Loop (deprecated)";
                case UPDATE_INVALID_NEXT_HOP_ATTRIBUTE -> "Invalid NEXT_HOP Attribute";
                case UPDATE_OPTIONAL_ATTRIBUTE_ERROR -> "Optional Attribute Error";
                case UPDATE_INVALID_NETWORK_FIELD -> "Invalid Network Field";
                case UPDATE_MALFORMED_AS_PATH -> "Malformed AS_PATH";
                default -> "subcode " + subcode;
            };
            case FSM_ERROR -> switch (subcode) {
                case FSM_UNEXPECTED_IN_OPENSENT -> "Unexpected Message in OpenSent";
                case FSM_UNEXPECTED_IN_OPENCONFIRM -> "Unexpected Message in OpenConfirm";
                case FSM_UNEXPECTED_IN_ESTABLISHED -> "Unexpected Message in Established";
                default -> "subcode " + subcode;
            };
            case CEASE -> switch (subcode) {
                case CEASE_MAX_PREFIXES -> "Maximum Number of Prefixes Reached";
                case CEASE_ADMIN_SHUTDOWN -> "Administrative Shutdown";
                case CEASE_PEER_DECONFIGURED -> "Peer De-configured";
                case CEASE_ADMIN_RESET -> "Administrative Reset";
                case CEASE_CONNECTION_REJECTED -> "Connection Rejected";
                case CEASE_OTHER_CONFIGURATION_CHANGE -> "Other Configuration Change";
                case CEASE_CONNECTION_COLLISION -> "Connection Collision Resolution";
                case CEASE_OUT_OF_RESOURCES -> "Out of Resources";
                case CEASE_HARD_RESET -> "Hard Reset";
                case CEASE_BFD_DOWN -> "BFD Down";
                default -> "subcode " + subcode;
            };
            case ROUTE_REFRESH_ERROR -> subcode == ROUTE_REFRESH_INVALID_LENGTH ? "Invalid Message Length" : "subcode " + subcode;
            default -> "subcode " + subcode;
        };
    }

    /**
     * The communication as the peer may show it: control characters (C0, DEL, C1), line and
     * paragraph separators and bidirectional overrides/isolates are written out as escapes
     * ({@code \n}, {@code \u001b}), the same rules our own log lines follow, so no text we
     * send can break a line, forge a field or reorder what the peer's operator reads.
     */
    static String sanitize(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E)
                            || (c >= 0x2066 && c <= 0x2069)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static byte[] truncateUtf8(String s, int max) {
        byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= max) {
            return all;
        }
        int end = max;
        // Step back over continuation bytes (10xxxxxx) so no character is cut in half.
        while (end > 0 && (all[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(all, end);
    }
}
