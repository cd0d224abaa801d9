package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_svc_key: a frontend slot. Slot 0 is the master (backend count, rev-NAT index,
 * flags); slots 1..count hold backend IDs.
 * <pre>
 *  0               1               2               3
 *  +---------------+---------------+---------------+---------------+
 *  |                 addr (__be32, frontend IPv4)                  |  0
 *  +---------------+---------------+---------------+---------------+
 *  |        port (__be16)          |         slot (__u16)          |  4
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) |                 pad[3] (zero)                 |  8
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record SvcKey(int addr, int port, int slot, int proto) {
    public static final Layout<SvcKey> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_svc_key"; }
        public int size() { return 12; }
        public List<Field> fields() {
            return List.of(new Field("addr", 0, 4), new Field("port", 4, 2), new Field("slot", 6, 2),
                    new Field("proto", 8, 1), new Field("pad", 9, 3));
        }
        public void write(SvcKey k, ByteBuffer b) {
            Layout.putBe32(b, k.addr);
            Layout.putBe16(b, k.port);
            b.putShort((short) k.slot);
            b.put((byte) k.proto);
            Layout.pad(b, 3);
        }
        public SvcKey read(ByteBuffer b) {
            int addr = Layout.getBe32(b);
            int port = Layout.getBe16(b);
            int slot = Short.toUnsignedInt(b.getShort());
            int proto = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 3);
            return new SvcKey(addr, port, slot, proto);
        }
    };

    public SvcKey master() {
        return new SvcKey(addr, port, 0, proto);
    }

    public SvcKey withSlot(int s) {
        return new SvcKey(addr, port, s, proto);
    }
}
