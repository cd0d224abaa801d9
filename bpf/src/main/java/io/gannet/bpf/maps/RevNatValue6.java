package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_revnat6 (value of dp_revnat6, keyed by __u16 rev-NAT index; indexes are unique
 * across dp_revnat4 and dp_revnat6): the IPv6 service address a reply's source is rewritten to.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          | flags (__u8)  |  pad (zero)   | 16
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record RevNatValue6(long addrHi, long addrLo, int port, int flags) {
    public static final Layout<RevNatValue6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_revnat6"; }
        public int size() { return 20; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 16), new Field("port", 16, 2), new Field("flags", 18, 1),
                    new Field("pad", 19, 1));
        }
        public void write(RevNatValue6 v, ByteBuffer b) {
            Layout.putBe128(b, v.addrHi, v.addrLo);
            Layout.putBe16(b, v.port);
            b.put((byte) v.flags);
            Layout.pad(b, 1);
        }
        public RevNatValue6 read(ByteBuffer b) {
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            int port = Layout.getBe16(b);
            int flags = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 1);
            return new RevNatValue6(hi, lo, port, flags);
        }
    };
}
