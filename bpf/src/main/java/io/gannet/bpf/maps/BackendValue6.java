package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_backend6 (value of dp_backends6, keyed by __u32 backend ID; IDs are unique across
 * dp_backends4 and dp_backends6).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |  proto (__u8) |  pad (zero)   | 16
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record BackendValue6(long addrHi, long addrLo, int port, int proto) {
    public static final Layout<BackendValue6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_backend6"; }
        public int size() { return 20; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 16), new Field("port", 16, 2), new Field("proto", 18, 1),
                    new Field("pad", 19, 1));
        }
        public void write(BackendValue6 v, ByteBuffer b) {
            Layout.putBe128(b, v.addrHi, v.addrLo);
            Layout.putBe16(b, v.port);
            b.put((byte) v.proto);
            Layout.pad(b, 1);
        }
        public BackendValue6 read(ByteBuffer b) {
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            int port = Layout.getBe16(b);
            int proto = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 1);
            return new BackendValue6(hi, lo, port, proto);
        }
    };
}
