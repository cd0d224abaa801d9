package io.gannet.agent.logging;

/** Where finished event lines go. Implementations are thread-safe. */
public interface LogSink {
    /** Takes one line without its newline. Must not block the caller for long. */
    void write(String line);
}
