package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;

/**
 * The 19-byte header every BGP message starts with (RFC 4271 section 4.1).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                                                               +
 * |                           Marker (all ones)                   |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Length               |      Type     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Length counts the whole message, header included: 19..4096, or up to 65535 once both
 * sides advertised the Extended Message capability (RFC 8654 section 3).
 */
public final class MessageHeader {
    public static final int MARKER_LENGTH = 16;
    public static final int LENGTH = 19;
    public static final int LENGTH_OFFSET = 16;
    public static final int TYPE_OFFSET = 18;
    public static final int MAX_MESSAGE_LENGTH = 4096;
    public static final int MAX_EXTENDED_MESSAGE_LENGTH = 65535;

    /** Smallest legal length per type (RFC 4271 4.2-4.5, RFC 2918 3). */
    public static final int MIN_OPEN_LENGTH = 29;
    public static final int MIN_UPDATE_LENGTH = 23;
    public static final int MIN_NOTIFICATION_LENGTH = 21;
    public static final int KEEPALIVE_LENGTH = 19;
    public static final int ROUTE_REFRESH_LENGTH = 23;

    private MessageHeader() {}

    /** Writes marker, a length placeholder and the type; returns the message's start index for {@link #finish}. */
    public static int start(ByteBuf out, int type) {
        int start = out.writerIndex();
        out.writeLong(-1L).writeLong(-1L);
        out.writeShort(0);
        out.writeByte(type);
        return start;
    }

    /** Patches the length field of the message that began at {@code start}. */
    public static void finish(ByteBuf out, int start) {
        out.setShort(start + LENGTH_OFFSET, out.writerIndex() - start);
    }

    /**
     * Checks the header at {@code in.readerIndex()} (19 readable bytes required) without
     * moving the reader index. Returns the message length.
     *
     * @param maxLength 4096, or 65535 after RFC 8654 negotiation
     * @throws BgpError Message Header Error with the subcode and data RFC 4271 6.1 asks for
     */
    public static int check(ByteBuf in, int maxLength) throws BgpError {
        int at = in.readerIndex();
        // RFC 4271 6.1: a marker that is not all ones is "Connection Not Synchronized".
        if (in.getLong(at) != -1L || in.getLong(at + 8) != -1L) {
            throw new BgpError(NotificationMessage.MESSAGE_HEADER_ERROR,
                    NotificationMessage.HEADER_CONNECTION_NOT_SYNCHRONIZED, "marker is not all ones");
        }
        int length = in.getUnsignedShort(at + LENGTH_OFFSET);
        int type = in.getUnsignedByte(at + TYPE_OFFSET);
        // RFC 4271 6.1: Bad Message Length carries the erroneous Length field as data.
        byte[] lengthData = {(byte) (length >>> 8), (byte) length};
        if (length < LENGTH || length > maxLength) {
            throw new BgpError(NotificationMessage.MESSAGE_HEADER_ERROR,
                    NotificationMessage.HEADER_BAD_MESSAGE_LENGTH, lengthData, "length " + length + " outside 19.." + maxLength);
        }
        boolean badForType = switch (type) {
            case MessageType.OPEN -> length < MIN_OPEN_LENGTH;
            case MessageType.UPDATE -> length < MIN_UPDATE_LENGTH;
            case MessageType.NOTIFICATION -> length < MIN_NOTIFICATION_LENGTH;
            case MessageType.KEEPALIVE -> length != KEEPALIVE_LENGTH;
            // RFC 7313 5: a ROUTE-REFRESH of the wrong length is a ROUTE-REFRESH Message Error,
            // answered by the session with the whole message as data, not a header error.
            case MessageType.ROUTE_REFRESH -> false;
            // RFC 4271 6.1: Bad Message Type carries the erroneous Type field as data.
            default -> throw new BgpError(NotificationMessage.MESSAGE_HEADER_ERROR,
                    NotificationMessage.HEADER_BAD_MESSAGE_TYPE, new byte[] {(byte) type}, "unknown message type " + type);
        };
        if (badForType) {
            throw new BgpError(NotificationMessage.MESSAGE_HEADER_ERROR, NotificationMessage.HEADER_BAD_MESSAGE_LENGTH,
                    lengthData, "length " + length + " invalid for " + MessageType.name(type));
        }
        return length;
    }
}
