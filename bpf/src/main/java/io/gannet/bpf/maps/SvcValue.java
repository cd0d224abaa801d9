package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_svc_value: master slot (count, revNatIndex, flags; backend_id holds the
 * sessionAffinity timeout in seconds when F_AFFINITY is set) or a backend slot (backendId).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                     backend_id (__u32)                        |  0
 *  +---------------+---------------+---------------+---------------+
 *  |        count (__u16)          |    rev_nat_index (__u16)      |  4
 *  +---------------+---------------+---------------+---------------+
 *  |  flags (__u8) |                 pad[3] (zero)                 |  8
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record SvcValue(int backendId, int count, int revNatIndex, int flags) {
    /** DP_SVC_F_EXTERNAL: externalIP, also translated on host devices. */
    public static final int F_EXTERNAL = 0x01;
    /** DP_SVC_F_MAGLEV: pick through the service's Maglev table. */
    public static final int F_MAGLEV = 0x02;
    /** DP_SVC_F_AFFINITY: sessionAffinity ClientIP; the master's backend_id is the timeout. */
    public static final int F_AFFINITY = 0x04;
    /** DP_SVC_F_NODEPORT: a node port on one of the node's addresses. */
    public static final int F_NODEPORT = 0x08;
    /** DP_SVC_F_SNAT: externalTrafficPolicy Cluster: flows from host devices SNATed to the node address. */
    public static final int F_SNAT = 0x10;
    /** DP_SVC_F_SRC_RANGES: loadBalancerSourceRanges enforced from dp_src_range4. */
    public static final int F_SRC_RANGES = 0x20;

    public static SvcValue master(int count, int revNatIndex, int flags) {
        return new SvcValue(0, count, revNatIndex, flags);
    }

    public static SvcValue master(int count, int revNatIndex, int flags, int affinityTimeout) {
        return new SvcValue(affinityTimeout, count, revNatIndex, flags);
    }

    public static SvcValue slot(int backendId) {
        return new SvcValue(backendId, 0, 0, 0);
    }

    public static final Layout<SvcValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_svc_value"; }
        public int size() { return 12; }
        public List<Field> fields() {
            return List.of(new Field("backend_id", 0, 4), new Field("count", 4, 2),
                    new Field("rev_nat_index", 6, 2), new Field("flags", 8, 1), new Field("pad", 9, 3));
        }
        public void write(SvcValue v, ByteBuffer b) {
            b.putInt(v.backendId);
            b.putShort((short) v.count);
            b.putShort((short) v.revNatIndex);
            b.put((byte) v.flags);
            Layout.pad(b, 3);
        }
        public SvcValue read(ByteBuffer b) {
            int id = b.getInt();
            int count = Short.toUnsignedInt(b.getShort());
            int rn = Short.toUnsignedInt(b.getShort());
            int flags = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 3);
            return new SvcValue(id, count, rn, flags);
        }
    };
}
