package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_ipcache6_key (dp_ipcache6, an LPM trie): an IPv6 prefix mapped to a security identity
 * (lib/policy.h's IPv6 stages). Host bits are cleared, so equal prefixes are equal keys.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                  prefixlen (__u32, 0..128)                    |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                                                               |  4
 *  +                 addr (__be32[4], IPv6 address)                +
 *  |                                                               |
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record IpcacheKey6(int prefixLen, long addrHi, long addrLo) {
    public IpcacheKey6 {
        if (prefixLen < 0 || prefixLen > 128) {
            throw new IllegalArgumentException("prefix length " + prefixLen);
        }
        addrHi &= prefixLen == 0 ? 0 : prefixLen >= 64 ? -1L : -1L << (64 - prefixLen);
        addrLo &= prefixLen <= 64 ? 0 : prefixLen == 128 ? -1L : -1L << (128 - prefixLen);
    }

    /** The prefix of a 16-byte address. */
    public static IpcacheKey6 of(byte[] addr, int prefixLen) {
        ByteBuffer b = ByteBuffer.wrap(addr);
        return new IpcacheKey6(prefixLen, b.getLong(), b.getLong());
    }

    public static final Layout<IpcacheKey6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_ipcache6_key"; }
        public int size() { return 20; }
        public List<Field> fields() {
            return List.of(new Field("prefixlen", 0, 4), new Field("addr", 4, 16));
        }
        public void write(IpcacheKey6 k, ByteBuffer b) {
            b.putInt(k.prefixLen);
            Layout.putBe128(b, k.addrHi, k.addrLo);
        }
        public IpcacheKey6 read(ByteBuffer b) {
            int len = b.getInt();
            long hi = Layout.getBe64(b);
            long lo = Layout.getBe64(b);
            return new IpcacheKey6(len, hi, lo);
        }
    };
}
