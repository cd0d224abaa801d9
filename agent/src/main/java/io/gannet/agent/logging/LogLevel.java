package io.gannet.agent.logging;

/** Severity of an event line. */
public enum LogLevel {
    DEBUG, INFO, WARN, ERROR;

    String text() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
