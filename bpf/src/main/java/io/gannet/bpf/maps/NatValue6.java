package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_nat6: the IPv6 twin of {@link NatValue}. In dp_snat6 (keyed like dp_ct6, written by
 * the programs only) a SNATed flow's node address and port (under the client's CT_EGRESS key) or
 * the client it is restored to (under the SNATed CT_REPLY key); in dp_snat6_src (keyed by
 * rev-NAT index, written by the agent) the node address a frontend's SNATed flows leave with,
 * port 0 (lib/nodeport6.h).
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |          pad (zero)           | 16
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record NatValue6(long addrHi, long addrLo, int port) {
    public static final Layout<NatValue6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_nat6"; }
        public int size() { return 20; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 16), new Field("port", 16, 2), new Field("pad", 18, 2));
        }
        public void write(NatValue6 v, ByteBuffer b) {
            Layout.putBe128(b, v.addrHi, v.addrLo);
            Layout.putBe16(b, v.port);
            Layout.pad(b, 2);
        }
        public NatValue6 read(ByteBuffer b) {
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            int port = Layout.getBe16(b);
            Layout.skip(b, 2);
            return new NatValue6(hi, lo, port);
        }
    };
}
