package io.gannet.agent.logging;

import java.util.List;

/**
 * Encodes key/value pairs as one logfmt or JSON line. Keys are fixed identifiers chosen by the
 * code; values are arbitrary text (peer names, NOTIFICATION data, messages from the network)
 * and are escaped so that no value can break the line or forge a key.
 */
final class LineEncoder {
    private LineEncoder() {}

    /** {@code fields} alternates key, value; null values are left out. */
    static String encode(LogFormat format, List<String> fields) {
        StringBuilder sb = new StringBuilder(128);
        if (format == LogFormat.JSON) {
            sb.append('{');
        }
        boolean first = true;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String k = fields.get(i);
            String v = fields.get(i + 1);
            if (v == null) {
                continue;
            }
            if (format == LogFormat.JSON) {
                if (!first) {
                    sb.append(',');
                }
                jsonString(sb, k);
                sb.append(':');
                jsonString(sb, v);
            } else {
                if (!first) {
                    sb.append(' ');
                }
                sb.append(k).append('=');
                logfmtValue(sb, v);
            }
            first = false;
        }
        if (format == LogFormat.JSON) {
            sb.append('}');
        }
        return sb.toString();
    }

    /** logfmt: bare when the value has no space, quote, '=' or control character; otherwise quoted. */
    private static void logfmtValue(StringBuilder sb, String v) {
        boolean bare = !v.isEmpty();
        for (int i = 0; i < v.length() && bare; i++) {
            char c = v.charAt(i);
            bare = c > ' ' && c != '"' && c != '=' && c != '\\' && c != 0x7f;
        }
        if (bare) {
            sb.append(v);
            return;
        }
        sb.append('"');
        escape(sb, v, false);
        sb.append('"');
    }

    private static void jsonString(StringBuilder sb, String v) {
        sb.append('"');
        escape(sb, v, true);
        sb.append('"');
    }

    private static void escape(StringBuilder sb, String v, boolean json) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || (json && (c == 0x2028 || c == 0x2029))) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
