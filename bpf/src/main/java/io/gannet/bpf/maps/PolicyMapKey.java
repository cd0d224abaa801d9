package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_policy_key (dp_policy4, an LPM trie): one endpoint's entry for a source identity,
 * protocol and destination-port prefix.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |              prefixlen (__u32: 64, or 80 + port bits)         |  0
 *  +---------------+---------------+---------------+---------------+
 *  |              ep_id (__u32, the pod veth's ifindex)            |  4
 *  +---------------+---------------+---------------+---------------+
 *  |              identity (__u32, 0 = any source)                 |  8
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) |  pad (zero)   |          dport (__be16)       | 12
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 * Built with {@link #of}: protocol 0 means every protocol and port (prefix 64); otherwise the
 * prefix is 80 plus {@code portPrefixBits}, and the port's insignificant bits are cleared.
 */
public record PolicyMapKey(int prefixLen, int epId, int identity, int protocol, int port) {
    /** Every protocol and port. */
    public static final int PREFIX_ANY_PROTOCOL = 64;
    /** Every port of one protocol. */
    public static final int PREFIX_PROTOCOL = 80;

    public static PolicyMapKey of(int epId, int identity, int protocol, int port, int portPrefixBits) {
        if (protocol == 0) {
            if (portPrefixBits != 0) {
                throw new IllegalArgumentException("a port needs a protocol (expand 'any' into TCP/UDP/SCTP first)");
            }
            return new PolicyMapKey(PREFIX_ANY_PROTOCOL, epId, identity, 0, 0);
        }
        if (portPrefixBits < 0 || portPrefixBits > 16) {
            throw new IllegalArgumentException("port prefix " + portPrefixBits);
        }
        int mask = portPrefixBits == 0 ? 0 : (0xffff << (16 - portPrefixBits)) & 0xffff;
        return new PolicyMapKey(PREFIX_PROTOCOL + portPrefixBits, epId, identity, protocol, port & mask);
    }

    /** Significant bits of the port (0 when the key covers every port or every protocol). */
    public int portPrefixBits() {
        return Math.max(0, prefixLen - PREFIX_PROTOCOL);
    }

    /** The first and last port this key covers. */
    public int portLow() {
        return port;
    }

    public int portHigh() {
        return protocol == 0 ? 0xffff : port + (1 << (16 - portPrefixBits())) - 1;
    }

    /** True when every packet this key matches, {@code this} matches too (same endpoint and identity). */
    public boolean covers(PolicyMapKey other) {
        if (epId != other.epId || identity != other.identity) {
            return false;
        }
        if (protocol == 0) {
            return true;
        }
        return protocol == other.protocol && portPrefixBits() <= other.portPrefixBits()
                && other.port >= portLow() && other.port <= portHigh();
    }

    public static final Layout<PolicyMapKey> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_policy_key"; }
        public int size() { return 16; }
        public List<Field> fields() {
            return List.of(new Field("prefixlen", 0, 4), new Field("ep_id", 4, 4), new Field("identity", 8, 4),
                    new Field("proto", 12, 1), new Field("pad", 13, 1), new Field("dport", 14, 2));
        }
        public void write(PolicyMapKey k, ByteBuffer b) {
            b.putInt(k.prefixLen);
            b.putInt(k.epId);
            b.putInt(k.identity);
            b.put((byte) k.protocol);
            Layout.pad(b, 1);
            Layout.putBe16(b, k.port);
        }
        public PolicyMapKey read(ByteBuffer b) {
            int len = b.getInt();
            int ep = b.getInt();
            int id = b.getInt();
            int proto = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 1);
            return new PolicyMapKey(len, ep, id, proto, Layout.getBe16(b));
        }
    };
}
