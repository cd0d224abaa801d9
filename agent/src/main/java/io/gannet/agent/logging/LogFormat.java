package io.gannet.agent.logging;

/** How an event line is written. */
public enum LogFormat {
    /** {@code ts=... level=info event=peer_state peer=tor1 from=OpenConfirm to=Established reason="..."}. */
    LOGFMT,
    /** One JSON object per line with the same keys. */
    JSON;

    public static LogFormat parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "logfmt" -> LOGFMT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("log format '" + s + "' is not one of logfmt, json");
        };
    }
}
