package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_src_range_key (dp_src_range4, an LPM trie): one loadBalancerSourceRanges CIDR of
 * the service with this rev-NAT index. The LPM prefix covers the index and pad (32 bits) and
 * then the CIDR's {@code prefixLength} bits of {@code addr}.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |           prefixlen (__u32): 32 + the CIDR's prefix length    |  0
 *  +---------------+---------------+---------------+---------------+
 *  |    rev_nat_index (__u16)      |          pad (zero)           |  4
 *  +---------------+---------------+---------------+---------------+
 *  |                        addr (__be32)                          |  8
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record SrcRangeKey(int revNatIndex, int addr, int prefixLength) {
    public SrcRangeKey {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
        addr = prefixLength == 0 ? 0 : addr & (int) (0xffffffffL << (32 - prefixLength));
    }

    public static final Layout<SrcRangeKey> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_src_range_key"; }
        public int size() { return 12; }
        public List<Field> fields() {
            return List.of(new Field("prefixlen", 0, 4), new Field("rev_nat_index", 4, 2), new Field("pad", 6, 2),
                    new Field("addr", 8, 4));
        }
        public void write(SrcRangeKey k, ByteBuffer b) {
            b.putInt(32 + k.prefixLength);
            b.putShort((short) k.revNatIndex);
            Layout.pad(b, 2);
            Layout.putBe32(b, k.addr);
        }
        public SrcRangeKey read(ByteBuffer b) {
            int len = b.getInt() - 32;
            int rn = Short.toUnsignedInt(b.getShort());
            Layout.skip(b, 2);
            return new SrcRangeKey(rn, Layout.getBe32(b), len);
        }
    };
}
