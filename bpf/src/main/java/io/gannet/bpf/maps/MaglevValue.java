package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A dp_maglev4 value (keyed by the service's __u32 rev-NAT index): the service's Maglev lookup
 * table, {@code m} backend IDs, m the datapath's table size ({@code dp_maglev_m} in
 * lib/maps.h, set by the agent at load; {@link #DEFAULT_M} unless the profile says otherwise).
 */
public record MaglevValue(int[] backendIds) {
    /** DP_MAGLEV_M_DEFAULT in lib/maps.h: the Maglev paper's table size, a prime. */
    public static final int DEFAULT_M = 65537;
    /** Smallest table size accepted: 100 entries per backend for two backends, rounded up to a prime. */
    public static final int MIN_M = 251;
    /** Largest: a table is one hash map value of 4 * M bytes, and the kernel caps such a value just under 4 MiB. */
    public static final int MAX_M = 1_048_391;

    /** The layout of a table of the default size. */
    public static final Layout<MaglevValue> LAYOUT = layout(DEFAULT_M);

    /** The layout of a table of {@code m} entries. */
    public static Layout<MaglevValue> layout(int m) {
        return new Layout<>() {
            public String cName() { return "__u32[dp_maglev_m]"; }
            public int size() { return 4 * m; }
            public List<Field> fields() { return List.of(new Field("backend_ids", 0, 4 * m)); }
            public void write(MaglevValue v, ByteBuffer b) {
                if (v.backendIds.length != m) {
                    throw new IllegalArgumentException("Maglev table must have " + m + " entries, not " + v.backendIds.length);
                }
                for (int id : v.backendIds) {
                    b.putInt(id);
                }
            }
            public MaglevValue read(ByteBuffer b) {
                int[] ids = new int[m];
                for (int i = 0; i < m; i++) {
                    ids[i] = b.getInt();
                }
                return new MaglevValue(ids);
            }
        };
    }

    /** Refuses a table size that is not a prime from {@link #MIN_M} to {@link #MAX_M}, in the user's terms. */
    public static void requireTableSize(int m) {
        if (m < MIN_M || m > MAX_M || !java.math.BigInteger.valueOf(m).isProbablePrime(30)) {
            throw new IllegalArgumentException("Maglev table size " + m + " must be a prime from " + MIN_M + " to " + MAX_M
                    + " (" + DEFAULT_M + " by default; at least 100 times a service's backends)");
        }
    }
}
