package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_masq (value of dp_masq4, keyed by a host device's ifindex): pod sources (the pod
 * pool) leaving by that device are masqueraded to {@code nodeAddr} (lib/masq.h).
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                     node_addr (__be32)                        |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                     pool_addr (__be32)                        |  4
 *  +---------------+---------------+---------------+---------------+
 *  |                     pool_mask (__be32)                        |  8
 *  +---------------+---------------+---------------+---------------+
 *  |                        pad (zero)                             | 12
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record MasqValue(int nodeAddr, int poolAddr, int poolMask) {
    public static final Layout<MasqValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_masq"; }
        public int size() { return 16; }
        public List<Field> fields() {
            return List.of(new Field("node_addr", 0, 4), new Field("pool_addr", 4, 4), new Field("pool_mask", 8, 4),
                    new Field("pad", 12, 4));
        }
        public void write(MasqValue v, ByteBuffer b) {
            Layout.putBe32(b, v.nodeAddr);
            Layout.putBe32(b, v.poolAddr);
            Layout.putBe32(b, v.poolMask);
            Layout.pad(b, 4);
        }
        public MasqValue read(ByteBuffer b) {
            int node = Layout.getBe32(b);
            int pool = Layout.getBe32(b);
            int mask = Layout.getBe32(b);
            Layout.skip(b, 4);
            return new MasqValue(node, pool, mask);
        }
    };
}
