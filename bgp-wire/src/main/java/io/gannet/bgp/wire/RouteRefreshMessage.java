package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * ROUTE-REFRESH (RFC 2918 section 3) with the RFC 7313 section 3.2 subtypes in the former
 * reserved octet.
 *
 * <pre>
 *  0       7      15      23      31
 * +-------+-------+-------+-------+
 * |      AFI      | Subtype | SAFI |
 * +-------+-------+-------+-------+
 * </pre>
 *
 * @param subtype 0 normal request, 1 Beginning of Route Refresh, 2 End of Route Refresh
 */
public record RouteRefreshMessage(int afi, int safi, int subtype) {
    public static final int NORMAL = 0;
    public static final int BORR = 1;
    public static final int EORR = 2;
    /** RFC 7313 5: error code 7 "ROUTE-REFRESH Message Error", subcode 1 "Invalid Message Length". */
    public static final int BODY_LENGTH = 4;

    public RouteRefreshMessage(AddressFamily family, int subtype) {
        this(family.afi(), family.safi(), subtype);
    }

    public AddressFamily family() {
        return new AddressFamily(afi, safi);
    }

    /**
     * Decodes a body (after the header). {@code whole} is the complete message, used as the
     * NOTIFICATION data RFC 7313 section 5 asks for when the length is wrong.
     */
    public static RouteRefreshMessage decode(ByteBuf body, ByteBuf whole) throws BgpError {
        if (body.readableBytes() != BODY_LENGTH) {
            throw new BgpError(NotificationMessage.ROUTE_REFRESH_ERROR, NotificationMessage.ROUTE_REFRESH_INVALID_LENGTH,
                    ByteBufUtil.getBytes(whole), "ROUTE-REFRESH body of " + body.readableBytes() + " bytes");
        }
        int i = body.readerIndex();
        return new RouteRefreshMessage(body.getUnsignedShort(i), body.getUnsignedByte(i + 3), body.getUnsignedByte(i + 2));
    }

    public void writeTo(ByteBuf out) {
        int start = MessageHeader.start(out, MessageType.ROUTE_REFRESH);
        out.writeShort(afi).writeByte(subtype).writeByte(safi);
        MessageHeader.finish(out, start);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(MessageHeader.ROUTE_REFRESH_LENGTH);
        writeTo(out);
        return out;
    }
}
