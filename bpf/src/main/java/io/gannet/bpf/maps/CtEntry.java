package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_ct_entry: the backend a flow is pinned to, its rev-NAT index, expiry
 * (CLOCK_MONOTONIC seconds) and the TCP flags seen.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                     backend_id (__u32)                        |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                     expires (__u32, s)                        |  4
 *  +---------------+---------------+---------------+---------------+
 *  |                     created (__u32, s)                        |  8
 *  +---------------+---------------+---------------+---------------+
 *  |    rev_nat_index (__u16)      |  seen (__u8)  | flags (__u8)  | 12
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record CtEntry(int backendId, long expires, long created, int revNatIndex, int seen, int flags) {
    /** DP_CT_F_SNAT: the flow is SNATed (node port from outside, or hairpin); dp_snat4 holds the other side. */
    public static final int F_SNAT = 0x01;
    /** DP_CT_F_INGRESS_OK: to_pod let this (untranslated) flow in; its later packets pass ingress policy. */
    public static final int F_INGRESS_OK = 0x02;
    /** DP_CT_F_EGRESS_OK: from_pod let this (untranslated) flow out; its later packets pass egress policy. */
    public static final int F_EGRESS_OK = 0x04;
    /** DP_CT_F_REMAPPED: a DP_CT_PLAIN flow that leaves with another source port (a {@link CtKey#REMAP_OUT} entry). */
    public static final int F_REMAPPED = 0x08;

    public CtEntry(int backendId, long expires, long created, int revNatIndex, int seen) {
        this(backendId, expires, created, revNatIndex, seen, 0);
    }

    public static final int SEEN_SYN = 0x01;
    public static final int SEEN_ACK = 0x02;
    public static final int SEEN_FIN = 0x04;
    public static final int SEEN_RST = 0x08;

    public static final Layout<CtEntry> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_ct_entry"; }
        public int size() { return 16; }
        public List<Field> fields() {
            return List.of(new Field("backend_id", 0, 4), new Field("expires", 4, 4), new Field("created", 8, 4),
                    new Field("rev_nat_index", 12, 2), new Field("seen", 14, 1), new Field("flags", 15, 1));
        }
        public void write(CtEntry e, ByteBuffer b) {
            b.putInt(e.backendId);
            b.putInt((int) e.expires);
            b.putInt((int) e.created);
            b.putShort((short) e.revNatIndex);
            b.put((byte) e.seen);
            b.put((byte) e.flags);
        }
        public CtEntry read(ByteBuffer b) {
            int id = b.getInt();
            long exp = Integer.toUnsignedLong(b.getInt());
            long created = Integer.toUnsignedLong(b.getInt());
            int rn = Short.toUnsignedInt(b.getShort());
            int seen = Byte.toUnsignedInt(b.get());
            int flags = Byte.toUnsignedInt(b.get());
            return new CtEntry(id, exp, created, rn, seen, flags);
        }
    };
}
