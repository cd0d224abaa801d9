package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_nat (value of dp_snat4, keyed like dp_ct4): a NodePort flow's SNAT address and
 * port (under the client's CT_EGRESS key) or the client it is restored to (under the SNATed
 * CT_REPLY key). Written by the programs only; read by tests and diagnostics. Also the value of
 * dp_snat4_src (keyed by rev-NAT index, written by the agent): the node address an external
 * frontend's SNATed flows leave with, port 0 (lib/nodeport.h).
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                        addr (__be32)                          |  0
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |          pad (zero)           |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record NatValue(int addr, int port) {
    public static final Layout<NatValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_nat"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 4), new Field("port", 4, 2), new Field("pad", 6, 2));
        }
        public void write(NatValue v, ByteBuffer b) {
            Layout.putBe32(b, v.addr);
            Layout.putBe16(b, v.port);
            Layout.pad(b, 2);
        }
        public NatValue read(ByteBuffer b) {
            int addr = Layout.getBe32(b);
            int port = Layout.getBe16(b);
            Layout.skip(b, 2);
            return new NatValue(addr, port);
        }
    };
}
