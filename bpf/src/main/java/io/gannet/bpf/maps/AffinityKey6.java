package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_affinity6_key (dp_affinity6, values {@link AffinityValue}): an IPv6 client and the
 * service it talks to (sessionAffinity ClientIP of an IPv6 frontend, lib/lb6.h).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +                client (__be32[4], IPv6 address)               +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |    rev_nat_index (__u16)      |          pad (zero)           | 16
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record AffinityKey6(long clientHi, long clientLo, int revNatIndex) {
    public static final Layout<AffinityKey6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_affinity6_key"; }
        public int size() { return 20; }
        public List<Field> fields() {
            return List.of(new Field("client", 0, 16), new Field("rev_nat_index", 16, 2), new Field("pad", 18, 2));
        }
        public void write(AffinityKey6 k, ByteBuffer b) {
            Layout.putBe128(b, k.clientHi, k.clientLo);
            b.putShort((short) k.revNatIndex);
            Layout.pad(b, 2);
        }
        public AffinityKey6 read(ByteBuffer b) {
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            int rn = Short.toUnsignedInt(b.getShort());
            Layout.skip(b, 2);
            return new AffinityKey6(hi, lo, rn);
        }
    };
}
