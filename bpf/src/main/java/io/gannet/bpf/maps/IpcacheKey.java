package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_ipcache_key (dp_ipcache4, an LPM trie): an IPv4 prefix.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                    prefixlen (__u32, 0..32)                   |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                        addr (__be32)                          |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record IpcacheKey(int prefixLen, int addr) {
    public IpcacheKey {
        if (prefixLen < 0 || prefixLen > 32) {
            throw new IllegalArgumentException("prefix length " + prefixLen);
        }
        addr &= prefixLen == 0 ? 0 : -1 << (32 - prefixLen);
    }

    public static final Layout<IpcacheKey> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_ipcache_key"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("prefixlen", 0, 4), new Field("addr", 4, 4));
        }
        public void write(IpcacheKey k, ByteBuffer b) {
            b.putInt(k.prefixLen);
            Layout.putBe32(b, k.addr);
        }
        public IpcacheKey read(ByteBuffer b) {
            int len = b.getInt();
            return new IpcacheKey(len, Layout.getBe32(b));
        }
    };
}
