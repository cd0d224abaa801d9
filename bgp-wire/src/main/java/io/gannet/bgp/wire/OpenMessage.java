package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OPEN (RFC 4271 section 4.2) with its Capabilities optional parameter (RFC 5492).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+
 * |    Version    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     My Autonomous System      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Hold Time           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         BGP Identifier                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Opt Parm Len  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             Optional Parameters (variable)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * Each optional parameter is Type (1), Length (1), Value; type 2 holds capabilities. The
 * RFC 9072 extended form (Opt Parm Len 255, first type 255, then 2-octet lengths) is
 * decoded too; we always send the classic form, which our capabilities fit into.
 *
 * <p>Decoding checks only structure and the version; whether the values are acceptable
 * (peer AS, identifier, hold time) is the session's decision (RFC 4271 6.2).
 *
 * @param myAs 2-octet field: AS_TRANS (23456) when the real AS needs 4 octets (RFC 6793)
 */
public record OpenMessage(int version, int myAs, int holdTimeSeconds, long bgpIdentifier, List<Capability> capabilities) {
    public static final int VERSION = 4;
    public static final int AS_TRANS = 23456;
    public static final int PARAM_CAPABILITIES = 2;
    private static final int PARAM_EXTENDED_LENGTH = 255;

    public OpenMessage {
        capabilities = List.copyOf(capabilities);
    }

    public static OpenMessage decode(ByteBuf body) throws BgpError {
        if (body.readableBytes() < 10) {
            throw new BgpError(NotificationMessage.MESSAGE_HEADER_ERROR, NotificationMessage.HEADER_BAD_MESSAGE_LENGTH,
                    new byte[] {0, (byte) (MessageHeader.LENGTH + body.readableBytes())}, "OPEN too short");
        }
        ByteBuf in = body.duplicate();
        int version = in.readUnsignedByte();
        // RFC 4271 6.2: Unsupported Version Number carries the largest version we support.
        if (version != VERSION) {
            throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.OPEN_UNSUPPORTED_VERSION,
                    new byte[] {0, VERSION}, "version " + version);
        }
        int myAs = in.readUnsignedShort();
        int hold = in.readUnsignedShort();
        long id = in.readUnsignedInt();
        int paramsLength = in.readUnsignedByte();
        boolean extended = false;
        // RFC 9072 section 2: Non-Ext OP Len 255 and Non-Ext OP Type 255 announce the extended form.
        if (paramsLength == PARAM_EXTENDED_LENGTH && in.readableBytes() >= 3 && in.getUnsignedByte(in.readerIndex()) == PARAM_EXTENDED_LENGTH) {
            in.skipBytes(1);
            paramsLength = in.readUnsignedShort();
            extended = true;
        }
        if (paramsLength != in.readableBytes()) {
            throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.UNSPECIFIC,
                    "optional parameters length " + paramsLength + " but " + in.readableBytes() + " bytes follow");
        }
        List<Capability> caps = new ArrayList<>();
        while (in.isReadable()) {
            int headerBytes = extended ? 3 : 2;
            if (in.readableBytes() < headerBytes) {
                throw truncated();
            }
            int type = in.readUnsignedByte();
            int length = extended ? in.readUnsignedShort() : in.readUnsignedByte();
            if (length > in.readableBytes()) {
                throw truncated();
            }
            if (type != PARAM_CAPABILITIES) {
                // RFC 4271 6.2: an optional parameter we do not recognize (including the
                // deprecated type 1 authentication) is Unsupported Optional Parameters.
                throw new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR,
                        NotificationMessage.OPEN_UNSUPPORTED_OPTIONAL_PARAMETER, "optional parameter type " + type);
            }
            ByteBuf param = in.readSlice(length);
            while (param.isReadable()) {
                if (param.readableBytes() < 2) {
                    throw truncated();
                }
                int code = param.readUnsignedByte();
                int capLength = param.readUnsignedByte();
                if (capLength > param.readableBytes()) {
                    throw truncated();
                }
                caps.add(Capability.decode(code, capLength, param));
            }
        }
        return new OpenMessage(version, myAs, hold, id, caps);
    }

    private static BgpError truncated() {
        return new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.UNSPECIFIC, "truncated optional parameter");
    }

    /** Writes the whole message; all capabilities go into one Capabilities parameter. */
    public void writeTo(ByteBuf out) {
        int start = MessageHeader.start(out, MessageType.OPEN);
        out.writeByte(version).writeShort(myAs).writeShort(holdTimeSeconds).writeInt((int) bgpIdentifier);
        int paramsLengthAt = out.writerIndex();
        out.writeByte(0);
        if (!capabilities.isEmpty()) {
            out.writeByte(PARAM_CAPABILITIES);
            int capsLengthAt = out.writerIndex();
            out.writeByte(0);
            for (Capability c : capabilities) {
                c.writeTo(out);
            }
            int capsLength = out.writerIndex() - capsLengthAt - 1;
            if (capsLength > 253) {
                throw new IllegalStateException("capabilities need RFC 9072 extended parameters: " + capsLength + " bytes");
            }
            out.setByte(capsLengthAt, capsLength);
        }
        out.setByte(paramsLengthAt, out.writerIndex() - paramsLengthAt - 1);
        MessageHeader.finish(out, start);
    }

    public ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf out = alloc.ioBuffer(128);
        writeTo(out);
        return out;
    }

    /** The sender's AS: the 4-octet capability's value when present (RFC 6793 4.1), else My AS. */
    public long effectiveAs() {
        Capability.FourOctetAs four = capability(Capability.FourOctetAs.class);
        return four != null ? four.as() : myAs;
    }

    /** Families from Multiprotocol capabilities; IPv4 unicast when there are none (RFC 4760 8). */
    public Set<AddressFamily> families() {
        Set<AddressFamily> out = new LinkedHashSet<>();
        for (Capability c : capabilities) {
            if (c instanceof Capability.Multiprotocol mp) {
                out.add(mp.family());
            }
        }
        return out.isEmpty() ? Set.of(AddressFamily.IPV4_UNICAST) : out;
    }

    public <T extends Capability> T capability(Class<T> type) {
        for (Capability c : capabilities) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    public boolean has(Class<? extends Capability> type) {
        return capability(type) != null;
    }
}
