package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_src_range6_key (dp_src_range6, an LPM trie): one IPv6 loadBalancerSourceRanges CIDR
 * of the IPv6 frontend with this rev-NAT index. The LPM prefix covers the index and pad (32
 * bits) and then the CIDR's {@code prefixLength} bits of the address; the address is given with
 * its host bits cleared.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |           prefixlen (__u32): 32 + the CIDR's prefix length    |  0
 *  +---------------+---------------+---------------+---------------+
 *  |    rev_nat_index (__u16)      |          pad (zero)           |  4
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  8
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record SrcRangeKey6(int revNatIndex, long addrHi, long addrLo, int prefixLength) {
    public SrcRangeKey6 {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
    }

    public static final Layout<SrcRangeKey6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_src_range6_key"; }
        public int size() { return 24; }
        public List<Field> fields() {
            return List.of(new Field("prefixlen", 0, 4), new Field("rev_nat_index", 4, 2), new Field("pad", 6, 2),
                    new Field("addr", 8, 16));
        }
        public void write(SrcRangeKey6 k, ByteBuffer b) {
            b.putInt(32 + k.prefixLength);
            b.putShort((short) k.revNatIndex);
            Layout.pad(b, 2);
            Layout.putBe128(b, k.addrHi, k.addrLo);
        }
        public SrcRangeKey6 read(ByteBuffer b) {
            int len = b.getInt() - 32;
            int rn = Short.toUnsignedInt(b.getShort());
            Layout.skip(b, 2);
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            return new SrcRangeKey6(rn, hi, lo, len);
        }
    };
}
