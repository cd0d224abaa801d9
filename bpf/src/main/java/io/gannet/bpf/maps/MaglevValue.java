package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_maglev (value of dp_maglev4, keyed by the service's __u32 rev-NAT index):
 * {@link #M} backend IDs, the service's Maglev lookup table.
 */
public record MaglevValue(int[] backendIds) {
    /** DP_MAGLEV_M in lib/maps.h: table size, a prime. */
    public static final int M = 65537;

    public static final Layout<MaglevValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_maglev"; }
        public int size() { return 4 * M; }
        public List<Field> fields() { return List.of(new Field("backend_ids", 0, 4 * M)); }
        public void write(MaglevValue v, ByteBuffer b) {
            if (v.backendIds.length != M) {
                throw new IllegalArgumentException("Maglev table must have " + M + " entries, not " + v.backendIds.length);
            }
            for (int id : v.backendIds) {
                b.putInt(id);
            }
        }
        public MaglevValue read(ByteBuffer b) {
            int[] ids = new int[M];
            for (int i = 0; i < M; i++) {
                ids[i] = b.getInt();
            }
            return new MaglevValue(ids);
        }
    };
}
