package io.gannet.agent.logging;

import java.io.PrintStream;

/** Writes lines straight to a stream (stderr for the CLI, a buffer in tests). Blocks while the stream does. */
public final class StreamLogSink implements LogSink {
    private final PrintStream out;

    public StreamLogSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public void write(String line) {
        synchronized (out) {
            out.println(line);
        }
    }
}
