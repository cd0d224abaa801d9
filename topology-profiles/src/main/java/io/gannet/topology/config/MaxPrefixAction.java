package io.gannet.topology.config;

/** What a speaker does when a neighbor sends more prefixes than allowed. */
public enum MaxPrefixAction {
    /** Log and count, keep the session. */
    WARN("warn"),
    /** Cease / Maximum Number of Prefixes Reached (RFC 4486 subcode 1), then reconnect. */
    RESTART("restart"),
    /** Drop the routes beyond the limit, keep the session. */
    DISCARD("discard");

    private final String yamlName;

    MaxPrefixAction(String yamlName) {
        this.yamlName = yamlName;
    }

    public String yamlName() {
        return yamlName;
    }
}
