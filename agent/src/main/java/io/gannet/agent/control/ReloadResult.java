package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Objects;

/**
 * The answer to {@code gannet reload}: per part of the configuration, whether the new
 * version took effect (BIRD's "reconfigured" / "restart required").
 */
public record ReloadResult(List<Part> parts) {

    public ReloadResult {
        parts = List.copyOf(parts);
    }

    /** How a part of the configuration took the reload. */
    public enum Outcome {
        UNCHANGED("unchanged"),
        APPLIED("applied"),
        RESTART_REQUIRED("restart required");

        private final String text;

        Outcome(String text) {
            this.text = text;
        }

        @JsonValue
        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * @param part    for example "peer tor1", "policy export-pods", "bfd"
     * @param outcome what happened
     * @param detail  why, for RESTART_REQUIRED ("local AS changed"), or null
     */
    public record Part(String part, Outcome outcome, String detail) {
        public Part {
            Objects.requireNonNull(part, "part");
            Objects.requireNonNull(outcome, "outcome");
        }
    }
}
