package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The byte layout of a C struct shared with the BPF programs (lib/maps.h), with every
 * field, pad bytes included, at its offset. Host-order fields are little-endian (BPF
 * runs in the host's byte order on x86_64/aarch64); {@code __be*} fields are big-endian.
 * Pad bytes are always written as zero so hash keys compare equal. BtfLayoutTest checks
 * {@link #cName}, {@link #size} and {@link #fields} against the compiled objects' BTF.
 */
public interface Layout<T> {
    /** A member of the C struct: name as in lib/maps.h, byte offset, byte size. */
    record Field(String name, int offset, int size) {}

    /** "struct dp_svc_key", or a scalar type name like "__u32". */
    String cName();

    int size();

    List<Field> fields();

    /** Writes {@code value} at the buffer's position (little-endian buffer), advancing it by {@link #size}. */
    void write(T value, ByteBuffer buf);

    /** Reads a value at the buffer's position, advancing it by {@link #size}. */
    T read(ByteBuffer buf);

    default byte[] encode(T value) {
        ByteBuffer b = ByteBuffer.allocate(size()).order(ByteOrder.LITTLE_ENDIAN);
        write(value, b);
        return b.array();
    }

    default T decode(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Big-endian (network order) 32-bit field. */
    static void putBe32(ByteBuffer b, int v) {
        b.putInt(Integer.reverseBytes(v));
    }

    static int getBe32(ByteBuffer b) {
        return Integer.reverseBytes(b.getInt());
    }

    /** Big-endian (network order) 128-bit field (an IPv6 address as its high and low 64 bits). */
    static void putBe128(ByteBuffer b, long hi, long lo) {
        b.putLong(Long.reverseBytes(hi));
        b.putLong(Long.reverseBytes(lo));
    }

    static long getBe64(ByteBuffer b) {
        return Long.reverseBytes(b.getLong());
    }

    /** Big-endian (network order) 16-bit field. */
    static void putBe16(ByteBuffer b, int v) {
        b.putShort(Short.reverseBytes((short) v));
    }

    static int getBe16(ByteBuffer b) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort()));
    }

    static void pad(ByteBuffer b, int n) {
        for (int i = 0; i < n; i++) {
            b.put((byte) 0);
        }
    }

    static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }

    /** __u32 keys (backend IDs, ifindexes, array indexes). */
    Layout<Integer> U32 = new Layout<>() {
        public String cName() { return "__u32"; }
        public int size() { return 4; }
        public List<Field> fields() { return List.of(); }
        public void write(Integer v, ByteBuffer b) { b.putInt(v); }
        public Integer read(ByteBuffer b) { return b.getInt(); }
    };

    /** __u16 keys (rev-NAT indexes). */
    Layout<Integer> U16 = new Layout<>() {
        public String cName() { return "__u16"; }
        public int size() { return 2; }
        public List<Field> fields() { return List.of(); }
        public void write(Integer v, ByteBuffer b) { b.putShort((short) (int) v); }
        public Integer read(ByteBuffer b) { return Short.toUnsignedInt(b.getShort()); }
    };

    /** __u64 per-CPU counter values. */
    Layout<Long> U64 = new Layout<>() {
        public String cName() { return "__u64"; }
        public int size() { return 8; }
        public List<Field> fields() { return List.of(); }
        public void write(Long v, ByteBuffer b) { b.putLong(v); }
        public Long read(ByteBuffer b) { return b.getLong(); }
    };

    /** __u8 values (set members). */
    Layout<Integer> U8 = new Layout<>() {
        public String cName() { return "__u8"; }
        public int size() { return 1; }
        public List<Field> fields() { return List.of(); }
        public void write(Integer v, ByteBuffer b) { b.put((byte) (int) v); }
        public Integer read(ByteBuffer b) { return Byte.toUnsignedInt(b.get()); }
    };
}
