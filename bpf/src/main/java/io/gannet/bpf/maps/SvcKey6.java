package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_svc6_key: an IPv6 frontend slot of dp_svc6 (values are {@link SvcValue}s, as in
 * dp_svc4). The address is given as its high and low 64 bits ({@code io.gannet.bpf.lb.Ipv6}).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +            addr (__be32[4], frontend IPv6 address)            +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |         slot (__u16)          | 16
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) |                 pad[3] (zero)                 | 20
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record SvcKey6(long addrHi, long addrLo, int port, int slot, int proto) {
    public static final Layout<SvcKey6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_svc6_key"; }
        public int size() { return 24; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 16), new Field("port", 16, 2), new Field("slot", 18, 2),
                    new Field("proto", 20, 1), new Field("pad", 21, 3));
        }
        public void write(SvcKey6 k, ByteBuffer b) {
            Layout.putBe128(b, k.addrHi, k.addrLo);
            Layout.putBe16(b, k.port);
            b.putShort((short) k.slot);
            b.put((byte) k.proto);
            Layout.pad(b, 3);
        }
        public SvcKey6 read(ByteBuffer b) {
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            int port = Layout.getBe16(b);
            int slot = Short.toUnsignedInt(b.getShort());
            int proto = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 3);
            return new SvcKey6(hi, lo, port, slot, proto);
        }
    };

    public SvcKey6 withSlot(int s) {
        return new SvcKey6(addrHi, addrLo, port, s, proto);
    }
}
