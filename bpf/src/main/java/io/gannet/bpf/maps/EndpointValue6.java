package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_endpoint6 (value of dp_endpoints6, keyed like dp_endpoints by the host-side veth's
 * ifindex): the pod's IPv6 address, the only IPv6 source the pod may send from besides link-local
 * neighbour discovery (lib/endpoint.h); all zero ({@link #NONE}) for a pod without one.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  0
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record EndpointValue6(long addrHi, long addrLo) {
    /** A pod without an IPv6 address: only link-local neighbour discovery passes the source check. */
    public static final EndpointValue6 NONE = new EndpointValue6(0, 0);

    public static final Layout<EndpointValue6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_endpoint6"; }
        public int size() { return 16; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 16));
        }
        public void write(EndpointValue6 v, ByteBuffer b) {
            Layout.putBe128(b, v.addrHi, v.addrLo);
        }
        public EndpointValue6 read(ByteBuffer b) {
            long hi = Layout.getBe64(b);
            return new EndpointValue6(hi, Layout.getBe64(b));
        }
    };
}
