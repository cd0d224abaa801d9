package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_revnat (value of dp_revnat4, keyed by __u16 rev-NAT index): the service
 * address a reply's source is rewritten to.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                     addr (__be32)                             |  0
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |         pad (zero)            |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record RevNatValue(int addr, int port) {
    public static final Layout<RevNatValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_revnat"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 4), new Field("port", 4, 2), new Field("pad", 6, 2));
        }
        public void write(RevNatValue v, ByteBuffer b) {
            Layout.putBe32(b, v.addr);
            Layout.putBe16(b, v.port);
            Layout.pad(b, 2);
        }
        public RevNatValue read(ByteBuffer b) {
            int addr = Layout.getBe32(b);
            int port = Layout.getBe16(b);
            Layout.skip(b, 2);
            return new RevNatValue(addr, port);
        }
    };
}
