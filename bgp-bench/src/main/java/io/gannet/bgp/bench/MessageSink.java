package io.gannet.bgp.bench;

import java.io.IOException;

/** Where an injector's pre-encoded messages go: a session's socket, or a test's buffer. */
interface MessageSink {
    /** Writes whole BGP messages, never part of one. */
    void write(byte[] data, int offset, int length) throws IOException;
}
