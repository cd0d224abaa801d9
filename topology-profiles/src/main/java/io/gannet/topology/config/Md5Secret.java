package io.gannet.topology.config;

import java.util.Objects;

/**
 * A TCP MD5 password (RFC 2385) and the reference it came from. The profile only ever holds
 * the reference (an environment variable or a file); the value is read when a host's
 * configuration is rendered. {@link #toString} prints the reference, never the value, so the
 * secret cannot reach a log line or rendered output by accident.
 *
 * @param source    where the value comes from
 * @param reference the environment variable name or the file path
 * @param value     the password, or null when rendering was asked not to resolve secrets
 */
public record Md5Secret(Source source, String reference, String value) {

    public enum Source { ENV, FILE }

    public Md5Secret {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reference, "reference");
    }

    public boolean resolved() {
        return value != null;
    }

    /** The value; only the code that programs the socket option should call this. */
    public String reveal() {
        if (value == null) {
            throw new IllegalStateException("MD5 password " + describe() + " was not resolved");
        }
        return value;
    }

    /** {@code <from env NAME>} or {@code <from file PATH>}. */
    public String describe() {
        return "<from " + (source == Source.ENV ? "env " : "file ") + reference + ">";
    }

    /** Same reference, ignoring whether and to what the value was resolved. */
    public boolean sameReference(Md5Secret other) {
        return other != null && source == other.source && reference.equals(other.reference);
    }

    @Override
    public String toString() {
        return describe();
    }
}
