package io.gannet.bfd.wire;

import io.netty.buffer.ByteBuf;

/**
 * Symmetric decode/encode of {@link ControlPacket}. Pure: no I/O, clock, logging or state.
 *
 * <p>{@link #decode} applies the session-independent reception checks of RFC 5880 6.8.6
 * in the order the RFC lists them and returns the first failure as a {@link DropReason}
 * (null means the packet is well formed). The checks that need a session (discriminator
 * lookup, authentication keys, AdminDown) belong to the session layer.
 */
public final class ControlPacketCodec {
    private ControlPacketCodec() {}

    /**
     * Decodes the readable bytes of {@code in} (one UDP payload) into {@code out}.
     * Does not move the reader index.
     *
     * @return null if the packet passed every check, else why it must be discarded
     */
    public static DropReason decode(ByteBuf in, ControlPacket out) {
        out.clear();
        int base = in.readerIndex();
        int payload = in.readableBytes();
        if (payload < 1) {
            return DropReason.TRUNCATED;
        }
        int b0 = in.getUnsignedByte(base);
        out.version = b0 >>> 5;
        // RFC 5880 6.8.6: "If the version number is not correct (1), the packet MUST be discarded."
        if (out.version != ControlPacket.VERSION) {
            return DropReason.BAD_VERSION;
        }
        if (payload < ControlPacket.MANDATORY_LENGTH) {
            return DropReason.TRUNCATED;
        }
        out.diagnostic = Diagnostic.fromCode(b0);
        int b1 = in.getUnsignedByte(base + 1);
        out.state = BfdState.fromCode(b1 >>> 6);
        out.poll = (b1 & 0x20) != 0;
        out.fin = (b1 & 0x10) != 0;
        out.controlPlaneIndependent = (b1 & 0x08) != 0;
        out.authPresent = (b1 & 0x04) != 0;
        out.demand = (b1 & 0x02) != 0;
        out.multipoint = (b1 & 0x01) != 0;
        out.detectMult = in.getUnsignedByte(base + 2);
        out.length = in.getUnsignedByte(base + 3);
        out.myDiscriminator = in.getUnsignedInt(base + 4);
        out.yourDiscriminator = in.getUnsignedInt(base + 8);
        out.desiredMinTxMicros = in.getUnsignedInt(base + 12);
        out.requiredMinRxMicros = in.getUnsignedInt(base + 16);
        out.requiredMinEchoRxMicros = in.getUnsignedInt(base + 20);

        // RFC 5880 6.8.6: "If the Length field is less than the minimum correct value (24 if
        // the A bit is clear, or 26 if the A bit is set), the packet MUST be discarded."
        if (out.length < (out.authPresent ? 26 : ControlPacket.MANDATORY_LENGTH)) {
            return DropReason.BAD_LENGTH;
        }
        // RFC 5880 6.8.6: "If the Length field is greater than the payload of the
        // encapsulating protocol, the packet MUST be discarded."
        if (out.length > payload) {
            return DropReason.BAD_LENGTH;
        }
        // RFC 5880 6.8.6: "If the Detect Mult field is zero, the packet MUST be discarded."
        if (out.detectMult == 0) {
            return DropReason.DETECT_MULT_ZERO;
        }
        // RFC 5880 6.8.6: "If the Multipoint (M) bit is nonzero, the packet MUST be discarded."
        if (out.multipoint) {
            return DropReason.MULTIPOINT;
        }
        // RFC 5880 6.8.6: "If the My Discriminator field is zero, the packet MUST be discarded."
        if (out.myDiscriminator == 0) {
            return DropReason.MY_DISCRIMINATOR_ZERO;
        }
        // RFC 5880 6.8.6: "If the Your Discriminator field is zero and the State field is not
        // Down or AdminDown, the packet MUST be discarded."
        if (out.yourDiscriminator == 0 && out.state != BfdState.DOWN && out.state != BfdState.ADMIN_DOWN) {
            return DropReason.YOUR_DISCRIMINATOR_ZERO;
        }
        if (out.authPresent) {
            return decodeAuth(in, base, out);
        }
        return null;
    }

    private static DropReason decodeAuth(ByteBuf in, int base, ControlPacket out) {
        int at = base + ControlPacket.MANDATORY_LENGTH;
        out.authTypeCode = in.getUnsignedByte(at);
        out.authLength = in.getUnsignedByte(at + 1);
        int room = out.length - ControlPacket.MANDATORY_LENGTH;
        AuthType type = AuthType.fromCode(out.authTypeCode);
        if (type == null || type == AuthType.NONE || out.authLength > room) {
            return DropReason.AUTH_MALFORMED;
        }
        if (type == AuthType.SIMPLE_PASSWORD) {
            // RFC 5880 4.2: password of 1 to 16 bytes, so Auth Len is 4..19.
            if (out.authLength < 4 || out.authLength > 3 + ControlPacket.MAX_PASSWORD) {
                return DropReason.AUTH_MALFORMED;
            }
            out.authKeyId = in.getUnsignedByte(at + 2);
            out.authDataLength = out.authLength - 3;
            in.getBytes(at + 3, out.authData, 0, out.authDataLength);
            return null;
        }
        // RFC 5880 4.3/4.4: Auth Len is exactly 24 (MD5) or 28 (SHA1).
        if (out.authLength != type.sectionLength()) {
            return DropReason.AUTH_MALFORMED;
        }
        out.authKeyId = in.getUnsignedByte(at + 2);
        out.authSequence = in.getUnsignedInt(at + 4);
        out.authDataLength = type.digestLength();
        in.getBytes(at + 8, out.authData, 0, out.authDataLength);
        return null;
    }

    /**
     * Writes {@code p} at the writer index. The Length field is computed from the auth
     * section ({@code p.length} is set to it). For digest types the digest field is written
     * from {@code p.authData}; the caller computes the digest afterwards (RFC 5880 6.7.3).
     *
     * @return the number of bytes written
     */
    public static int encode(ControlPacket p, ByteBuf out) {
        int start = out.writerIndex();
        AuthType type = p.authPresent ? AuthType.fromCode(p.authTypeCode) : null;
        int authLen = 0;
        if (type == AuthType.SIMPLE_PASSWORD) {
            authLen = 3 + p.authDataLength;
        } else if (type != null && type.isDigest()) {
            authLen = type.sectionLength();
        }
        p.length = ControlPacket.MANDATORY_LENGTH + authLen;
        out.writeByte((p.version << 5) | (p.diagnostic.code() & 0x1f));
        out.writeByte((p.state.code() << 6)
                | (p.poll ? 0x20 : 0) | (p.fin ? 0x10 : 0) | (p.controlPlaneIndependent ? 0x08 : 0)
                | (authLen > 0 ? 0x04 : 0) | (p.demand ? 0x02 : 0) | (p.multipoint ? 0x01 : 0));
        out.writeByte(p.detectMult);
        out.writeByte(p.length);
        out.writeInt((int) p.myDiscriminator);
        out.writeInt((int) p.yourDiscriminator);
        out.writeInt((int) p.desiredMinTxMicros);
        out.writeInt((int) p.requiredMinRxMicros);
        out.writeInt((int) p.requiredMinEchoRxMicros);
        if (type == AuthType.SIMPLE_PASSWORD) {
            out.writeByte(type.code());
            out.writeByte(authLen);
            out.writeByte(p.authKeyId);
            out.writeBytes(p.authData, 0, p.authDataLength);
        } else if (authLen > 0) {
            out.writeByte(type.code());
            out.writeByte(authLen);
            out.writeByte(p.authKeyId);
            out.writeByte(0); // Reserved: "MUST be set to zero on transmit"
            out.writeInt((int) p.authSequence);
            out.writeBytes(p.authData, 0, type.digestLength());
        }
        return out.writerIndex() - start;
    }
}
