package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_affinity_key (dp_affinity4): a client and the service it talks to.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                      client (__be32)                          |  0
 *  +---------------+---------------+---------------+---------------+
 *  |    rev_nat_index (__u16)      |          pad (zero)           |  4
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record AffinityKey(int client, int revNatIndex) {
    public static final Layout<AffinityKey> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_affinity_key"; }
        public int size() { return 8; }
        public List<Field> fields() {
            return List.of(new Field("client", 0, 4), new Field("rev_nat_index", 4, 2), new Field("pad", 6, 2));
        }
        public void write(AffinityKey k, ByteBuffer b) {
            Layout.putBe32(b, k.client);
            b.putShort((short) k.revNatIndex);
            Layout.pad(b, 2);
        }
        public AffinityKey read(ByteBuffer b) {
            int c = Layout.getBe32(b);
            int rn = Short.toUnsignedInt(b.getShort());
            Layout.skip(b, 2);
            return new AffinityKey(c, rn);
        }
    };
}
