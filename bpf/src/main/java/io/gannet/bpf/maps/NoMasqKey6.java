package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_nomasq6_key (dp_nomasq6, an LPM trie): an IPv6 destination prefix never masqueraded
 * (lib/masq6.h). The address is given with its host bits cleared.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                  prefixlen (__u32, 0..128)                    |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  4
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record NoMasqKey6(long addrHi, long addrLo, int prefixLength) {
    public NoMasqKey6 {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
    }

    public static final Layout<NoMasqKey6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_nomasq6_key"; }
        public int size() { return 20; }
        public List<Field> fields() {
            return List.of(new Field("prefixlen", 0, 4), new Field("addr", 4, 16));
        }
        public void write(NoMasqKey6 k, ByteBuffer b) {
            b.putInt(k.prefixLength);
            Layout.putBe128(b, k.addrHi, k.addrLo);
        }
        public NoMasqKey6 read(ByteBuffer b) {
            int len = b.getInt();
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            return new NoMasqKey6(hi, lo, len);
        }
    };
}
