package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_masq6 (value of dp_masq6, keyed by a host device's ifindex): IPv6 pod sources (the
 * IPv6 pod pool) leaving by that device are masqueraded to the node address (lib/masq6.h). The
 * IPv6 twin of {@link MasqValue}, in a map of its own. Addresses as high and low 64 bits.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +               node_addr (__be32[4], IPv6 address)             +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               | 16
 *  +               pool_addr (__be32[4], IPv6 address)             +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               | 32
 *  +               pool_mask (__be32[4])                           +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record MasqValue6(long nodeHi, long nodeLo, long poolHi, long poolLo, long maskHi, long maskLo) {
    public static final Layout<MasqValue6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_masq6"; }
        public int size() { return 48; }
        public List<Field> fields() {
            return List.of(new Field("node_addr", 0, 16), new Field("pool_addr", 16, 16), new Field("pool_mask", 32, 16));
        }
        public void write(MasqValue6 v, ByteBuffer b) {
            Layout.putBe128(b, v.nodeHi, v.nodeLo);
            Layout.putBe128(b, v.poolHi, v.poolLo);
            Layout.putBe128(b, v.maskHi, v.maskLo);
        }
        public MasqValue6 read(ByteBuffer b) {
            long nh = Layout.getBe64(b);
            long nl = Layout.getBe64(b);
            long ph = Layout.getBe64(b);
            long pl = Layout.getBe64(b);
            long mh = Layout.getBe64(b);
            long ml = Layout.getBe64(b);
            return new MasqValue6(nh, nl, ph, pl, mh, ml);
        }
    };
}
