package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_drop_event (dp_drop_events, a FIFO the programs push to and the agent pops): one
 * packet ingress or egress policy dropped ({@code direction} 0 or 1; {@code identity} is the
 * peer's: the source of an ingress drop, the destination of an egress drop).
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                        saddr (__be32)                         |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                        daddr (__be32)                         |  4
 *  +---------------+---------------+---------------+---------------+
 *  |          sport (__be16)       |          dport (__be16)       |  8
 *  +---------------+---------------+---------------+---------------+
 *  |                     identity (__u32)                          | 12
 *  +---------------+---------------+---------------+---------------+
 *  |                     ep_id (__u32)                             | 16
 *  +---------------+---------------+---------------+---------------+
 *  |                     rule_id (__u32, 0 = default deny)         | 20
 *  +---------------+---------------+---------------+---------------+
 *  |                     ktime (__u32, monotonic seconds)          | 24
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) | reason (__u8) |  dir (__u8)   |  pad (zero)   | 28
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record DropEvent(int saddr, int daddr, int sport, int dport, int identity, int epId, int ruleId, int ktime,
        int protocol, int reason, int direction) {
    public static final int INGRESS = 0;
    public static final int EGRESS = 1;

    public boolean egress() {
        return direction == EGRESS;
    }

    public static final Layout<DropEvent> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_drop_event"; }
        public int size() { return 32; }
        public List<Field> fields() {
            return List.of(new Field("saddr", 0, 4), new Field("daddr", 4, 4), new Field("sport", 8, 2),
                    new Field("dport", 10, 2), new Field("identity", 12, 4), new Field("ep_id", 16, 4),
                    new Field("rule_id", 20, 4), new Field("ktime", 24, 4), new Field("proto", 28, 1),
                    new Field("reason", 29, 1), new Field("dir", 30, 1), new Field("pad", 31, 1));
        }
        public void write(DropEvent e, ByteBuffer b) {
            Layout.putBe32(b, e.saddr);
            Layout.putBe32(b, e.daddr);
            Layout.putBe16(b, e.sport);
            Layout.putBe16(b, e.dport);
            b.putInt(e.identity);
            b.putInt(e.epId);
            b.putInt(e.ruleId);
            b.putInt(e.ktime);
            b.put((byte) e.protocol);
            b.put((byte) e.reason);
            b.put((byte) e.direction);
            Layout.pad(b, 1);
        }
        public DropEvent read(ByteBuffer b) {
            int s = Layout.getBe32(b);
            int d = Layout.getBe32(b);
            int sp = Layout.getBe16(b);
            int dp = Layout.getBe16(b);
            int id = b.getInt();
            int ep = b.getInt();
            int rule = b.getInt();
            int t = b.getInt();
            int proto = Byte.toUnsignedInt(b.get());
            int reason = Byte.toUnsignedInt(b.get());
            int dir = Byte.toUnsignedInt(b.get());
            Layout.skip(b, 1);
            return new DropEvent(s, d, sp, dp, id, ep, rule, t, proto, reason, dir);
        }
    };
}
