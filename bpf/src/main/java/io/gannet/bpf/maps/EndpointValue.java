package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_endpoint (value of dp_endpoints, keyed by the host-side veth's ifindex).
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                     pod_addr (__be32)                         |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                     flags (__u32, zero today)                 |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record EndpointValue(int podAddr, int flags) {
    public static final Layout<EndpointValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_endpoint"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("pod_addr", 0, 4), new Field("flags", 4, 4));
        }
        public void write(EndpointValue v, ByteBuffer b) {
            Layout.putBe32(b, v.podAddr);
            b.putInt(v.flags);
        }
        public EndpointValue read(ByteBuffer b) {
            return new EndpointValue(Layout.getBe32(b), b.getInt());
        }
    };
}
