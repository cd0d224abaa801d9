package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.stream.Collectors;

/** One AS_PATH segment (RFC 4271 section 4.3; confederation types from RFC 5065). */
public record AsPathSegment(Type type, List<Long> asns) {

    public enum Type {
        SEQUENCE("sequence"),
        SET("set"),
        CONFED_SEQUENCE("confed-sequence"),
        CONFED_SET("confed-set");

        private final String text;

        Type(String text) {
            this.text = text;
        }

        @JsonValue
        @Override
        public String toString() {
            return text;
        }
    }

    public AsPathSegment {
        asns = List.copyOf(asns);
    }

    public static AsPathSegment sequence(Long... asns) {
        return new AsPathSegment(Type.SEQUENCE, List.of(asns));
    }

    /** {@code 65001 65002}, {@code {65003 65004}}, {@code (65010)}, {@code [65011 65012]}, as birdc and vtysh print them. */
    public String format() {
        String body = asns.stream().map(String::valueOf).collect(Collectors.joining(" "));
        return switch (type) {
            case SEQUENCE -> body;
            case SET -> "{" + body + "}";
            case CONFED_SEQUENCE -> "(" + body + ")";
            case CONFED_SET -> "[" + body + "]";
        };
    }

    public static String format(List<AsPathSegment> path) {
        return path.stream().map(AsPathSegment::format).collect(Collectors.joining(" "));
    }
}
