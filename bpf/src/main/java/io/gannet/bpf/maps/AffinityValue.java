package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_affinity (dp_affinity4): the client's backend and when its last new flow went there.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                    backend_id (__u32)                         |  0
 *  +---------------+---------------+---------------+---------------+
 *  |            last_used (__u32, CLOCK_MONOTONIC seconds)         |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record AffinityValue(int backendId, long lastUsed) {
    public static final Layout<AffinityValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_affinity"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("backend_id", 0, 4), new Field("last_used", 4, 4));
        }
        public void write(AffinityValue v, ByteBuffer b) {
            b.putInt(v.backendId);
            b.putInt((int) v.lastUsed);
        }
        public AffinityValue read(ByteBuffer b) {
            return new AffinityValue(b.getInt(), Integer.toUnsignedLong(b.getInt()));
        }
    };
}
