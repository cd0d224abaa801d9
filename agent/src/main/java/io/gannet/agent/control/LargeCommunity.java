package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;

/** An RFC 8092 large community: three unsigned 32-bit numbers, {@code GLOBAL:LOCAL1:LOCAL2}. */
public record LargeCommunity(long globalAdmin, long local1, long local2) {

    public LargeCommunity {
        for (long v : new long[] {globalAdmin, local1, local2}) {
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw ControlException.badRequest("large community part " + v + " does not fit in 32 bits");
            }
        }
    }

    public static LargeCommunity parse(String text) {
        if (text == null) {
            throw ControlException.badRequest("large community is empty");
        }
        String[] p = text.split(":", -1);
        if (p.length != 3) {
            throw ControlException.badRequest("large community '" + text + "' is not GLOBAL:LOCAL1:LOCAL2 (RFC 8092)");
        }
        String what = "large community '" + text + "'";
        return new LargeCommunity(Numbers.parseUnsigned(p[0], 0xFFFFFFFFL, what),
                Numbers.parseUnsigned(p[1], 0xFFFFFFFFL, what), Numbers.parseUnsigned(p[2], 0xFFFFFFFFL, what));
    }

    @JsonValue
    @Override
    public String toString() {
        return globalAdmin + ":" + local1 + ":" + local2;
    }
}
