package io.gannet.topology.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/**
 * A TCP MD5 password (RFC 2385) and the reference it came from. The profile only ever holds
 * the reference (an environment variable or a file); the value is read when a host's
 * configuration is rendered. Only {@link #reveal} returns the value: {@link #toString} and
 * Jackson serialization print the reference ({@code <from env NAME>}), so the secret cannot
 * reach a log line, a JSON dump or rendered host output by accident.
 */
public final class Md5Secret {

    public enum Source { ENV, FILE }

    private final Source source;
    private final String reference;
    private final String value;

    /**
     * @param source    where the value comes from
     * @param reference the environment variable name or the file path
     * @param value     the password, or null when rendering was asked not to resolve secrets
     */
    public Md5Secret(Source source, String reference, String value) {
        this.source = Objects.requireNonNull(source, "source");
        this.reference = Objects.requireNonNull(reference, "reference");
        this.value = value;
    }

    public Source source() {
        return source;
    }

    public String reference() {
        return reference;
    }

    public boolean resolved() {
        return value != null;
    }

    /** The value; only the code that programs the socket option or writes a switch's configuration should call this. */
    public String reveal() {
        if (value == null) {
            throw new IllegalStateException("MD5 password " + describe() + " was not resolved");
        }
        return value;
    }

    /** {@code <from env NAME>} or {@code <from file PATH>}. */
    @JsonValue
    public String describe() {
        return "<from " + (source == Source.ENV ? "env " : "file ") + reference + ">";
    }

    /** Same reference, ignoring whether and to what the value was resolved. */
    public boolean sameReference(Md5Secret other) {
        return other != null && source == other.source && reference.equals(other.reference);
    }

    /** Equal when reference and value are equal, so a rotated key behind the same reference is a change. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Md5Secret m && source == m.source && reference.equals(m.reference) && Objects.equals(value, m.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, reference, value);
    }

    @Override
    public String toString() {
        return describe();
    }
}
