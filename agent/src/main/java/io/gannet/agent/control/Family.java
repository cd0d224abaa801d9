package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;

/** The unicast address families the control API filters on (RFC 4760 AFI 1 and 2, SAFI 1). */
public enum Family {
    IPV4("ipv4"),
    IPV6("ipv6");

    private final String text;

    Family(String text) {
        this.text = text;
    }

    /** Accepts {@code ipv4}, {@code ipv6}, and the long forms {@code ipv4-unicast}, {@code ipv6-unicast}. */
    public static Family parse(String s) {
        for (Family f : values()) {
            if (f.text.equalsIgnoreCase(s) || (f.text + "-unicast").equalsIgnoreCase(s)) {
                return f;
            }
        }
        throw ControlException.badRequest("family '" + s + "' is not one of ipv4, ipv6");
    }

    @JsonValue
    @Override
    public String toString() {
        return text;
    }
}
