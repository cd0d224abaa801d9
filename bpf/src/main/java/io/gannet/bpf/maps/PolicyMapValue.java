package io.gannet.bpf.maps;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct dp_policy_value: the verdict of a dp_policy4 entry, the rule that made it, and the
 * packets and bytes it decided (the programs count; the agent writes zero).
 * <pre>
 *  +---------------+---------------+---------------+---------------+
 *  |                        rule_id (__u32)                        |  0
 *  +---------------+---------------+---------------+---------------+
 *  | verdict (__u8)|               pad[3] (zero)                   |  4
 *  +---------------+---------------+---------------+---------------+
 *  |                        packets (__u64)                        |  8
 *  +---------------+---------------+---------------+---------------+
 *  |                        bytes (__u64)                          | 16
 *  +---------------+---------------+---------------+---------------+
 * </pre>
 */
public record PolicyMapValue(int ruleId, boolean deny, long packets, long bytes) {
    public static final Layout<PolicyMapValue> LAYOUT = new Layout<>() {
        public String cName() { return "struct dp_policy_value"; }
        public int size() { return 24; }
        public List<Field> fields() {
            return List.of(new Field("rule_id", 0, 4), new Field("verdict", 4, 1), new Field("pad", 5, 3),
                    new Field("packets", 8, 8), new Field("bytes", 16, 8));
        }
        public void write(PolicyMapValue v, ByteBuffer b) {
            b.putInt(v.ruleId);
            b.put((byte) (v.deny ? 1 : 0));
            Layout.pad(b, 3);
            b.putLong(v.packets);
            b.putLong(v.bytes);
        }
        public PolicyMapValue read(ByteBuffer b) {
            int rule = b.getInt();
            boolean deny = b.get() != 0;
            Layout.skip(b, 3);
            return new PolicyMapValue(rule, deny, b.getLong(), b.getLong());
        }
    };
}
