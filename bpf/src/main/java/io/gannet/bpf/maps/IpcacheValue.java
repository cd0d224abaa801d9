package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_ipcache_value: the security identity of the addresses a prefix covers.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                     identity (__u32)                          |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                     pad (zero)                                |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record IpcacheValue(int identity) {
    public static final Layout<IpcacheValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_ipcache_value"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("identity", 0, 4), new Field("pad", 4, 4));
        }
        public void write(IpcacheValue v, ByteBuffer b) {
            b.putInt(v.identity);
            Layout.pad(b, 4);
        }
        public IpcacheValue read(ByteBuffer b) {
            int id = b.getInt();
            Layout.skip(b, 4);
            return new IpcacheValue(id);
        }
    };
}
