package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_backend (value of dp_backends4, keyed by __u32 backend ID).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                     addr (__be32)                             |  0
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |  proto (__u8) |  pad (zero)   |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record BackendValue(int addr, int port, int proto) {
    public static final Layout<BackendValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_backend"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 4), new Field("port", 4, 2), new Field("proto", 6, 1),
                    new Field("pad", 7, 1));
        }
        public void write(BackendValue v, ByteBuffer b) {
            Layout.putBe32(b, v.addr);
            Layout.putBe16(b, v.port);
            b.put((byte) v.proto);
            Layout.pad(b, 1);
        }
        public BackendValue read(ByteBuffer b) {
            int addr = Layout.getBe32(b);
            int port = Layout.getBe16(b);
            int proto = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 1);
            return new BackendValue(addr, port, proto);
        }
    };
}
