package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One capability of the OPEN's Capabilities optional parameter (RFC 5492 section 4):
 *
 * <pre>
 * +------------------------------+
 * | Capability Code (1 octet)    |
 * +------------------------------+
 * | Capability Length (1 octet)  |
 * +------------------------------+
 * | Capability Value (variable)  |
 * +------------------------------+
 * </pre>
 *
 * Capabilities this speaker does not know are kept as {@link Unknown} so status output can
 * show them; RFC 5492 section 5 says they are ignored, not errors.
 */
public sealed interface Capability {
    int MULTIPROTOCOL = 1;
    int ROUTE_REFRESH = 2;
    int EXTENDED_NEXT_HOP = 5;
    int EXTENDED_MESSAGE = 6;
    int GRACEFUL_RESTART = 64;
    int FOUR_OCTET_AS = 65;
    int ENHANCED_ROUTE_REFRESH = 70;

    int code();

    /** Writes the capability value (without code and length). */
    void writeValue(ByteBuf out);

    /** Code, length and value. */
    default void writeTo(ByteBuf out) {
        out.writeByte(code());
        int lengthAt = out.writerIndex();
        out.writeByte(0);
        writeValue(out);
        out.setByte(lengthAt, out.writerIndex() - lengthAt - 1);
    }

    /** RFC 4760 section 8: AFI (2), Reserved (1), SAFI (1). */
    record Multiprotocol(AddressFamily family) implements Capability {
        public int code() { return MULTIPROTOCOL; }
        public void writeValue(ByteBuf out) { out.writeShort(family.afi()).writeByte(0).writeByte(family.safi()); }
    }

    /** RFC 2918 section 2: empty value. */
    /**
     * RFC 8950 section 3: for each NLRI family, a next hop address family the sender can take;
     * each entry is NLRI AFI (2), NLRI SAFI (2), Nexthop AFI (2).
     */
    record ExtendedNextHop(List<Entry> entries) implements Capability {
        public ExtendedNextHop {
            entries = List.copyOf(entries);
        }

        public int code() { return EXTENDED_NEXT_HOP; }

        public void writeValue(ByteBuf out) {
            for (Entry e : entries) {
                out.writeShort(e.nlri().afi()).writeShort(e.nlri().safi()).writeShort(e.nextHopAfi());
            }
        }

        /** Whether {@code nlri} may carry a next hop of {@code nextHopAfi}. */
        public boolean allows(AddressFamily nlri, int nextHopAfi) {
            for (Entry e : entries) {
                if (e.nlri().equals(nlri) && e.nextHopAfi() == nextHopAfi) {
                    return true;
                }
            }
            return false;
        }

        public record Entry(AddressFamily nlri, int nextHopAfi) {}
    }

    record RouteRefresh() implements Capability {
        public int code() { return ROUTE_REFRESH; }
        public void writeValue(ByteBuf out) {}
    }

    /** RFC 7313 section 4: empty value. */
    record EnhancedRouteRefresh() implements Capability {
        public int code() { return ENHANCED_ROUTE_REFRESH; }
        public void writeValue(ByteBuf out) {}
    }

    /** RFC 8654 section 3: empty value. */
    record ExtendedMessage() implements Capability {
        public int code() { return EXTENDED_MESSAGE; }
        public void writeValue(ByteBuf out) {}
    }

    /** RFC 6793 section 3: the speaker's 4-octet AS. */
    record FourOctetAs(long as) implements Capability {
        public int code() { return FOUR_OCTET_AS; }
        public void writeValue(ByteBuf out) { out.writeInt((int) as); }
    }

    /**
     * RFC 4724 section 3:
     * <pre>
     * +--------------------------------------------------+
     * | Restart Flags (4 bits) | Restart Time (12 bits)  |
     * +--------------------------------------------------+
     * | AFI (16 bits) | SAFI (8 bits) | Flags for AF (8)  |  repeated
     * +--------------------------------------------------+
     * </pre>
     * Restart flag R (0x8) says the sender restarted; per-family flag F (0x80) says its
     * forwarding state was preserved.
     */
    /**
     * RFC 4724 3, with the N bit of RFC 8538 2 ({@code notification}: graceful restart also
     * applies when a NOTIFICATION other than Cease/Hard Reset ends the session).
     * <pre>
     * +--------------------------------------------------+
     * | Restart Flags (4 bits: R N 0 0)                  |
     * | Restart Time in seconds (12 bits)                |
     * | AFI (16) | SAFI (8) | Flags for AFI/SAFI (8: F)  |  repeated
     * +--------------------------------------------------+
     * </pre>
     */
    record GracefulRestart(boolean restartState, boolean notification, int restartTimeSeconds, List<Family> families)
            implements Capability {
        public GracefulRestart {
            families = List.copyOf(families);
            if (restartTimeSeconds < 0 || restartTimeSeconds > 4095) {
                throw new IllegalArgumentException("restart time is 12 bits: " + restartTimeSeconds);
            }
        }

        /** Without the RFC 8538 N bit. */
        public GracefulRestart(boolean restartState, int restartTimeSeconds, List<Family> families) {
            this(restartState, false, restartTimeSeconds, families);
        }

        public int code() { return GRACEFUL_RESTART; }

        public void writeValue(ByteBuf out) {
            out.writeShort((restartState ? 0x8000 : 0) | (notification ? 0x4000 : 0) | restartTimeSeconds);
            for (Family f : families) {
                out.writeShort(f.family().afi()).writeByte(f.family().safi()).writeByte(f.forwardingPreserved() ? 0x80 : 0);
            }
        }

        public record Family(AddressFamily family, boolean forwardingPreserved) {}
    }

    /** Any capability this speaker does not implement, kept verbatim. */
    record Unknown(int code, byte[] value) implements Capability {
        public Unknown {
            value = value.clone();
        }

        public void writeValue(ByteBuf out) { out.writeBytes(value); }

        @Override
        public byte[] value() { return value.clone(); }

        @Override
        public boolean equals(Object o) { return o instanceof Unknown u && u.code == code && Arrays.equals(u.value, value); }

        @Override
        public int hashCode() { return 31 * code + Arrays.hashCode(value); }

        @Override
        public String toString() { return "Unknown[code=" + code + ", value=" + ByteBufUtil.hexDump(value) + "]"; }
    }

    /**
     * Decodes one capability value of {@code length} bytes at the reader index and advances
     * past it. A known capability with the wrong length is an OPEN Message Error (RFC 5492
     * leaves the subcode open; 0 "unspecific" is what FRR and BIRD send).
     */
    static Capability decode(int code, int length, ByteBuf in) throws BgpError {
        ByteBuf v = in.readSlice(length);
        return switch (code) {
            case MULTIPROTOCOL -> {
                requireLength(code, length, 4);
                yield new Multiprotocol(new AddressFamily(v.getUnsignedShort(0), v.getUnsignedByte(3)));
            }
            case ROUTE_REFRESH -> {
                requireLength(code, length, 0);
                yield new RouteRefresh();
            }
            case EXTENDED_NEXT_HOP -> {
                if (length == 0 || length % 6 != 0) {
                    throw malformed(code, length);
                }
                List<ExtendedNextHop.Entry> entries = new ArrayList<>();
                while (v.isReadable()) {
                    AddressFamily nlri = new AddressFamily(v.readUnsignedShort(), v.readUnsignedShort());
                    entries.add(new ExtendedNextHop.Entry(nlri, v.readUnsignedShort()));
                }
                yield new ExtendedNextHop(entries);
            }
            case ENHANCED_ROUTE_REFRESH -> {
                requireLength(code, length, 0);
                yield new EnhancedRouteRefresh();
            }
            case EXTENDED_MESSAGE -> {
                requireLength(code, length, 0);
                yield new ExtendedMessage();
            }
            case FOUR_OCTET_AS -> {
                requireLength(code, length, 4);
                yield new FourOctetAs(v.getUnsignedInt(0));
            }
            case GRACEFUL_RESTART -> {
                if (length < 2 || (length - 2) % 4 != 0) {
                    throw malformed(code, length);
                }
                int flagsAndTime = v.readUnsignedShort();
                List<GracefulRestart.Family> families = new ArrayList<>();
                while (v.isReadable()) {
                    AddressFamily af = new AddressFamily(v.readUnsignedShort(), v.readUnsignedByte());
                    families.add(new GracefulRestart.Family(af, (v.readUnsignedByte() & 0x80) != 0));
                }
                yield new GracefulRestart((flagsAndTime & 0x8000) != 0, (flagsAndTime & 0x4000) != 0, flagsAndTime & 0x0FFF,
                        families);
            }
            default -> new Unknown(code, ByteBufUtil.getBytes(v));
        };
    }

    private static void requireLength(int code, int length, int expected) throws BgpError {
        if (length != expected) {
            throw malformed(code, length);
        }
    }

    private static BgpError malformed(int code, int length) {
        return new BgpError(NotificationMessage.OPEN_MESSAGE_ERROR, NotificationMessage.UNSPECIFIC,
                "capability " + code + " has bad length " + length);
    }
}
