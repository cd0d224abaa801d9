package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_drop_event6 (dp_drop_events6): {@link DropEvent} for an IPv6 packet, in a queue of its
 * own so dp_drop_events keeps its layout. Addresses are the 16 bytes of the wire.
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                 saddr (__be32[4], 16 bytes)                   |  0
 *  +---------------+---------------+---------------+---------------+
 *  |                 daddr (__be32[4], 16 bytes)                   | 16
 *  +---------------+---------------+---------------+---------------+
 *  |          sport (__be16)       |  dport (__be16; ICMPv6: type) | 32
 *  +---------------+---------------+---------------+---------------+
 *  |                     identity (__u32)                          | 36
 *  +---------------+---------------+---------------+---------------+
 *  |                     ep_id (__u32)                             | 40
 *  +---------------+---------------+---------------+---------------+
 *  |                     rule_id (__u32, 0 = default deny)         | 44
 *  +---------------+---------------+---------------+---------------+
 *  |                     ktime (__u32, monotonic seconds)          | 48
 *  +---------------+---------------+---------------+---------------+
 *  |  proto (__u8) | reason (__u8) |  dir (__u8)   |  pad (zero)   | 52
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record DropEvent6(byte[] saddr, byte[] daddr, int sport, int dport, int identity, int epId, int ruleId, int ktime,
        int protocol, int reason, int direction) {
    public DropEvent6 {
        saddr = saddr.clone();
        daddr = daddr.clone();
    }

    @Override
    public byte[] saddr() {
        return saddr.clone();
    }

    @Override
    public byte[] daddr() {
        return daddr.clone();
    }

    public boolean egress() {
        return direction == DropEvent.EGRESS;
    }

    public static final Layout<DropEvent6> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_drop_event6"; }
        public int size() { return 56; }
        public List<Field> fields() {
            return List.of(new Field("saddr", 0, 16), new Field("daddr", 16, 16), new Field("sport", 32, 2),
                    new Field("dport", 34, 2), new Field("identity", 36, 4), new Field("ep_id", 40, 4),
                    new Field("rule_id", 44, 4), new Field("ktime", 48, 4), new Field("proto", 52, 1),
                    new Field("reason", 53, 1), new Field("dir", 54, 1), new Field("pad", 55, 1));
        }
        public void write(DropEvent6 e, ByteBuffer b) {
            b.put(e.saddr);
            b.put(e.daddr);
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
        public DropEvent6 read(ByteBuffer b) {
            byte[] s = new byte[16];
            byte[] d = new byte[16];
            b.get(s);
            b.get(d);
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
            return new DropEvent6(s, d, sp, dp, id, ep, rule, t, proto, reason, dir);
        }
    };
}
