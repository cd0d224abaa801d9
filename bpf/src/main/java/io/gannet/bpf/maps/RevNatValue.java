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
 *  |        port (__be16)          | flags (__u8)  |  pad (zero)   |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record RevNatValue(int addr, int port, int flags) {
    /** DP_REVNAT_F_NODEPORT: the address is a node's (replies redirected by FIB lookup, flows may be SNATed). */
    public static final int F_NODEPORT = 0x01;

    public RevNatValue(int addr, int port) {
        this(addr, port, 0);
    }

    public static final Layout<RevNatValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_revnat"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 4), new Field("port", 4, 2), new Field("flags", 6, 1), new Field("pad", 7, 1));
        }
        public void write(RevNatValue v, ByteBuffer b) {
            Layout.putBe32(b, v.addr);
            Layout.putBe16(b, v.port);
            b.put((byte) v.flags);
            Layout.pad(b, 1);
        }
        public RevNatValue read(ByteBuffer b) {
            int addr = Layout.getBe32(b);
            int port = Layout.getBe16(b);
            int flags = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 1);
            return new RevNatValue(addr, port, flags);
        }
    };
}
