package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_ct6_key: an IPv6 conntrack tuple and its direction ({@link CtKey#EGRESS} or
 * {@link CtKey#REPLY}: dp_ct6 holds NAT pairs only); values are {@link CtEntry}s.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +                     saddr (__be32[4])                         +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               | 16
 *  +                     daddr (__be32[4])                         +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |        sport (__be16)         |        dport (__be16)         | 32
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) |   dir (__u8)  |         pad (zero)            | 36
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record CtKey6(long saddrHi, long saddrLo, long daddrHi, long daddrLo, int sport, int dport, int proto, int dir) {
    public static final Layout<CtKey6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_ct6_key"; }
        public int size() { return 40; }
        public List<Field> fields() {
            return List.of(new Field("saddr", 0, 16), new Field("daddr", 16, 16), new Field("sport", 32, 2),
                    new Field("dport", 34, 2), new Field("proto", 36, 1), new Field("dir", 37, 1),
                    new Field("pad", 38, 2));
        }
        public void write(CtKey6 k, ByteBuffer b) {
            Layout.putBe128(b, k.saddrHi, k.saddrLo);
            Layout.putBe128(b, k.daddrHi, k.daddrLo);
            Layout.putBe16(b, k.sport);
            Layout.putBe16(b, k.dport);
            b.put((byte) k.proto);
            b.put((byte) k.dir);
            Layout.pad(b, 2);
        }
        public CtKey6 read(ByteBuffer b) {
            long sh = Layout.getBe64(b);
            long sl = Layout.getBe64(b);
            long dh = Layout.getBe64(b);
            long dl = Layout.getBe64(b);
            int sp = Layout.getBe16(b);
            int dp = Layout.getBe16(b);
            int proto = Byte.toUnsignedInt(b.get());
            int dir = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 2);
            return new CtKey6(sh, sl, dh, dl, sp, dp, proto, dir);
        }
    };
}
