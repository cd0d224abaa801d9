package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;

/** The ORIGIN attribute (RFC 4271 section 5.1.1). */
public enum Origin {
    IGP("igp"),
    EGP("egp"),
    INCOMPLETE("incomplete");

    private final String text;

    Origin(String text) {
        this.text = text;
    }

    public static Origin parse(String s) {
        for (Origin o : values()) {
            if (o.text.equalsIgnoreCase(s)) {
                return o;
            }
        }
        throw ControlException.badRequest("origin '" + s + "' is not one of igp, egp, incomplete");
    }

    @JsonValue
    @Override
    public String toString() {
        return text;
    }
}
