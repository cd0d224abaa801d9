package io.gannet.bpf;

import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Ipv6;
import java.nio.ByteBuffer;

/**
 * Builds Ethernet/IPv4/TCP|UDP frames with correct checksums, independently of the BPF
 * code, for golden-packet tests: the expected output of a program is built here too. A spec
 * whose addresses are IPv6 literals builds an Ethernet/IPv6 frame (the TTL is the hop limit),
 * with the extension headers {@link Spec#ext6} names before its L4 header; {@link #fragments6}
 * splits one into fragments.
 */
public final class Packets {
    public static final byte[] POD_MAC = {0x02, 0, 0, 0, 0, 0x01};
    public static final byte[] NODE_MAC = {0x02, 0, 0, 0, 0, 0x02};
    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    private Packets() {}

    /** A mutable description of one frame. */
    public static final class Spec {
        public byte[] srcMac = POD_MAC;
        public byte[] dstMac = NODE_MAC;
        public String saddr;
        public String daddr;
        public int proto = 6;
        public int sport;
        public int dport;
        public long seq = 1000;
        public long ack;
        public int flags = TCP_SYN;
        public int window = 64240;
        public int ttl = 64;
        public int id = 0x1234;
        public int fragOff; // raw frag_off field (flags + offset)
        public boolean udpZeroCsum;
        public byte[] payload = new byte[0];
        public boolean l4Header = true; // false for non-first fragments
        public int icmpType = 8; // proto 1: echo request (8) or reply (0)
        public int icmpId;
        public int icmpSeq = 1;
        /** IPv6 only: extension headers before the L4 header, by next-header value, 8 bytes each (RFC 8200 4:
         * hop-by-hop 0 and destination options 60 with a PadN option, others zero after their next header). */
        public int[] ext6 = new int[0];

        public Spec copy() {
            Spec s = new Spec();
            s.srcMac = srcMac; s.dstMac = dstMac; s.saddr = saddr; s.daddr = daddr; s.proto = proto;
            s.sport = sport; s.dport = dport; s.seq = seq; s.ack = ack; s.flags = flags; s.window = window;
            s.ttl = ttl; s.id = id; s.fragOff = fragOff; s.udpZeroCsum = udpZeroCsum; s.payload = payload;
            s.l4Header = l4Header;
            s.icmpType = icmpType; s.icmpId = icmpId; s.icmpSeq = icmpSeq; s.ext6 = ext6.clone();
            return s;
        }
    }

    public static Spec tcp(String saddr, int sport, String daddr, int dport, int flags) {
        Spec s = new Spec();
        s.saddr = saddr; s.sport = sport; s.daddr = daddr; s.dport = dport; s.flags = flags; s.proto = 6;
        return s;
    }

    public static Spec udp(String saddr, int sport, String daddr, int dport, byte[] payload) {
        Spec s = new Spec();
        s.saddr = saddr; s.sport = sport; s.daddr = daddr; s.dport = dport; s.proto = 17; s.payload = payload;
        return s;
    }

    /** An ICMP echo request (type 8) or reply (type 0) with identifier {@code id}. */
    public static Spec icmpEcho(String saddr, String daddr, int type, int id) {
        Spec s = new Spec();
        s.saddr = saddr; s.daddr = daddr; s.proto = 1; s.icmpType = type; s.icmpId = id;
        s.payload = new byte[] {1, 2, 3, 4, 5, 6, 7, 8};
        return s;
    }

    /** An IPv4 packet of protocol {@code proto} whose L4 bytes are {@code l4} as given (GRE, SCTP, ...). */
    public static Spec raw(String saddr, String daddr, int proto, byte[] l4) {
        Spec s = new Spec();
        s.saddr = saddr; s.daddr = daddr; s.proto = proto; s.payload = l4; s.l4Header = false;
        return s;
    }

    /** An SCTP common header (ports, verification tag, checksum left 0) and no chunk. */
    public static Spec sctp(String saddr, int sport, String daddr, int dport) {
        return raw(saddr, daddr, 132, ByteBuffer.allocate(12).putShort((short) sport).putShort((short) dport).putInt(7).array());
    }

    public static byte[] build(Spec s) {
        int l4Len = !s.l4Header ? s.payload.length : (s.proto == 6 ? 20 : 8) + s.payload.length;
        boolean v6 = s.saddr.indexOf(':') >= 0;
        int extLen = v6 ? 8 * s.ext6.length : 0;
        ByteBuffer b = ByteBuffer.allocate(14 + (v6 ? 40 : 20) + extLen + l4Len);
        b.put(s.dstMac).put(s.srcMac).putShort((short) (v6 ? 0x86dd : 0x0800));
        int ipStart = b.position();
        if (v6) {
            // RFC 8200 3: version 6, traffic class 0, flow label 0, payload length, next header, hop limit
            b.putInt(0x60000000).putShort((short) (extLen + l4Len)).put((byte) (s.ext6.length > 0 ? s.ext6[0] : s.proto))
                    .put((byte) s.ttl).put(Ipv6.parse(s.saddr).bytes()).put(Ipv6.parse(s.daddr).bytes());
            for (int i = 0; i < s.ext6.length; i++) {
                int next = i + 1 < s.ext6.length ? s.ext6[i + 1] : s.proto;
                // next header, length 0 (8 bytes in all); options headers carry one PadN option of 4 bytes
                b.put((byte) next).put((byte) 0);
                if (s.ext6[i] == 0 || s.ext6[i] == 60) {
                    b.put((byte) 1).put((byte) 4).putInt(0);
                } else {
                    b.putShort((short) 0).putInt(0);
                }
            }
        } else {
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4Len)).putShort((short) s.id)
                    .putShort((short) s.fragOff).put((byte) s.ttl).put((byte) s.proto).putShort((short) 0)
                    .putInt(Ipv4.parse(s.saddr)).putInt(Ipv4.parse(s.daddr));
            b.putShort(ipStart + 10, (short) checksum(b.array(), ipStart, 20, 0));
        }
        int l4Start = b.position();
        if (s.l4Header) {
            if (s.proto == 1) {
                b.put((byte) s.icmpType).put((byte) 0).putShort((short) 0).putShort((short) s.icmpId).putShort((short) s.icmpSeq);
            } else if (s.proto == 6) {
                b.putShort((short) s.sport).putShort((short) s.dport).putInt((int) s.seq).putInt((int) s.ack)
                        .put((byte) 0x50).put((byte) s.flags).putShort((short) s.window).putShort((short) 0).putShort((short) 0);
            } else {
                b.putShort((short) s.sport).putShort((short) s.dport).putShort((short) l4Len).putShort((short) 0);
            }
        }
        b.put(s.payload);
        if (s.l4Header && s.proto == 1) {
            b.putShort(l4Start + 2, (short) checksum(b.array(), l4Start, l4Len, 0));
        } else if (s.l4Header && s.fragOff == 0) {
            int pseudo = pseudo(s.saddr, s.daddr, s.proto, l4Len);
            int c = checksum(b.array(), l4Start, l4Len, pseudo);
            if (s.proto == 17) {
                if (!s.udpZeroCsum) {
                    b.putShort(l4Start + 6, (short) (c == 0 ? 0xffff : c));
                }
            } else {
                b.putShort(l4Start + 16, (short) c);
            }
        } else if (s.l4Header && s.proto == 17 && !s.udpZeroCsum) {
            // first fragment: checksum over the whole datagram is unknown here; use a fixed value
            b.putShort(l4Start + 6, (short) 0x4242);
        }
        return b.array();
    }

    /**
     * The IPv6 datagram {@code whole} (no extension headers) as two fragments (RFC 8200 4.5): the
     * first carries the first {@code firstLen} bytes of its L4 part (a multiple of 8: the L4 header
     * and the datagram's checksum, computed over all of it), the second the rest; both with a
     * Fragment header of identification {@code id}.
     */
    public static byte[][] fragments6(Spec whole, int id, int firstLen) {
        if (whole.ext6.length > 0 || firstLen % 8 != 0) {
            throw new IllegalArgumentException("a datagram without extension headers, split at a multiple of 8");
        }
        byte[] full = build(whole);
        int l4Start = 14 + 40;
        return new byte[][] {
            fragment6(full, whole.proto, id, 0, true, java.util.Arrays.copyOfRange(full, l4Start, l4Start + firstLen)),
            fragment6(full, whole.proto, id, firstLen, false, java.util.Arrays.copyOfRange(full, l4Start + firstLen, full.length)),
        };
    }

    private static byte[] fragment6(byte[] full, int proto, int id, int offset, boolean more, byte[] chunk) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + chunk.length);
        b.put(full, 0, 14 + 40);
        b.putShort(14 + 4, (short) (8 + chunk.length)).put(14 + 6, (byte) 44);
        // next header, reserved, offset (8-octet units) << 3 | M, identification
        b.put((byte) proto).put((byte) 0).putShort((short) (offset | (more ? 1 : 0))).putInt(id).put(chunk);
        return b.array();
    }

    private static int pseudo(String saddr, String daddr, int proto, int len) {
        if (saddr.indexOf(':') >= 0) {
            // RFC 8200 8.1: source, destination, upper-layer packet length (32 bits), next header
            byte[] pseudo = ByteBuffer.allocate(40).put(Ipv6.parse(saddr).bytes()).put(Ipv6.parse(daddr).bytes()).array();
            long sum = 0;
            for (int i = 0; i < 32; i += 2) {
                sum += ((pseudo[i] & 0xff) << 8) | (pseudo[i + 1] & 0xff);
            }
            return (int) (sum + (len >>> 16) + (len & 0xffff) + proto);
        }
        int s = Ipv4.parse(saddr);
        int d = Ipv4.parse(daddr);
        long sum = (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + proto + len;
        return (int) sum;
    }

    /**
     * Whether the TCP or UDP checksum of an Ethernet/IPv4 or Ethernet/IPv6 frame (no options, no
     * extension headers) is right: the sum over the pseudo-header and the segment is 0xffff
     * (RFC 1071; RFC 8200 8.1 for IPv6). Independent of how the packet was built or rewritten.
     */
    public static boolean l4ChecksumOk(byte[] frame) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        boolean v6 = b.getShort(12) == (short) 0x86dd;
        int l4 = v6 ? 14 + 40 : 14 + 20;
        int len = frame.length - l4;
        int proto = v6 ? frame[14 + 6] & 0xff : frame[14 + 9] & 0xff;
        long sum = proto + (len >>> 16) + (len & 0xffff);
        int addrOff = v6 ? 14 + 8 : 14 + 12;
        for (int i = 0; i < (v6 ? 32 : 8); i += 2) {
            sum += ((frame[addrOff + i] & 0xff) << 8) | (frame[addrOff + i + 1] & 0xff);
        }
        return checksum(frame, l4, len, (int) sum) == 0;
    }

    /** RFC 1071 Internet checksum of a range, seeded with {@code initial} (unfolded). */
    public static int checksum(byte[] data, int off, int len, int initial) {
        long sum = Integer.toUnsignedLong(initial);
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((data[off + i] & 0xff) << 8) | (data[off + i + 1] & 0xff);
        }
        if ((len & 1) == 1) {
            sum += (data[off + len - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    public static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(String.format("%02x", b[i]));
            if (i % 16 == 15) {
                sb.append('\n');
            } else if (i % 2 == 1) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }
}
