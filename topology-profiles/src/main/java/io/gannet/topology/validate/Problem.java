package io.gannet.topology.validate;

import io.gannet.topology.yaml.Location;
import java.util.Objects;

/**
 * One finding about a profile, printed as {@code file:line:column: error|warning: message}.
 */
public record Problem(Severity severity, Location location, String message) implements Comparable<Problem> {

    public enum Severity { ERROR, WARNING }

    public Problem {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(message, "message");
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** File order first, so a user reads problems top to bottom like a compiler's output. */
    @Override
    public int compareTo(Problem o) {
        int c = location.file().compareTo(o.location.file());
        if (c == 0) c = Integer.compare(location.line(), o.location.line());
        if (c == 0) c = Integer.compare(location.column(), o.location.column());
        if (c == 0) c = severity.compareTo(o.severity);
        if (c == 0) c = message.compareTo(o.message);
        return c;
    }

    @Override
    public String toString() {
        return location + ": " + (isError() ? "error" : "warning") + ": " + message;
    }
}
