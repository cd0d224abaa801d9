package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_ct_key: a conntrack tuple and its direction (0 = client towards the service,
 * 1 = backend reply towards the client).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                     saddr (__be32)                            |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                     daddr (__be32)                            |  4
 *  +---------------+---------------+---------------+---------------+
 *  |        sport (__be16)         |        dport (__be16)         |  8
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) |   dir (__u8)  |         pad (zero)            | 12
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record CtKey(int saddr, int daddr, int sport, int dport, int proto, int dir) {
    public static final int EGRESS = 0;
    public static final int REPLY = 1;
    /** DP_CT_PLAIN: a flow no service translated, keyed by its originator's tuple. */
    public static final int PLAIN = 2;
    /** DP_CT_MASQ_OUT: a masqueraded pod flow, keyed by the pod's tuple (lib/masq.h). */
    public static final int MASQ_OUT = 3;
    /** DP_CT_MASQ_IN: the same flow's replies, keyed remote -> node address:port. */
    public static final int MASQ_IN = 4;
    /** DP_CT_REMAP_OUT: a pod's flow that leaves with another source port, keyed by the pod's tuple (lib/remap.h). */
    public static final int REMAP_OUT = 5;
    /** DP_CT_REMAP_IN: the same flow's replies, keyed remote -> pod address:the port it leaves with. */
    public static final int REMAP_IN = 6;

    public static final Layout<CtKey> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_ct_key"; }
        public int size() { return 16; }
        public List<Field> fields() {
            return List.of(new Field("saddr", 0, 4), new Field("daddr", 4, 4), new Field("sport", 8, 2),
                    new Field("dport", 10, 2), new Field("proto", 12, 1), new Field("dir", 13, 1),
                    new Field("pad", 14, 2));
        }
        public void write(CtKey k, ByteBuffer b) {
            Layout.putBe32(b, k.saddr);
            Layout.putBe32(b, k.daddr);
            Layout.putBe16(b, k.sport);
            Layout.putBe16(b, k.dport);
            b.put((byte) k.proto);
            b.put((byte) k.dir);
            Layout.pad(b, 2);
        }
        public CtKey read(ByteBuffer b) {
            int s = Layout.getBe32(b);
            int d = Layout.getBe32(b);
            int sp = Layout.getBe16(b);
            int dp = Layout.getBe16(b);
            int proto = Byte.toUnsignedInt(b.get());
            int dir = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 2);
            return new CtKey(s, d, sp, dp, proto, dir);
        }
    };
}
