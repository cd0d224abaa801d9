package io.gannet.agent.cli;

/** Exit codes of the client commands, stable for scripts. */
public final class ExitCodes {
    private ExitCodes() {}

    public static final int OK = 0;
    /** An unexpected failure of the command itself. */
    public static final int SOFTWARE = 1;
    /** Bad command-line usage (picocli's own code). */
    public static final int USAGE = 2;
    /** No daemon: the socket is missing, stale, not a socket, or not accessible. */
    public static final int NO_DAEMON = 3;
    /** The daemon rejected the request (4xx): bad input, unknown peer or prefix. Nothing changed. */
    public static final int REJECTED = 4;
    /** The daemon failed, timed out, or the part is not available in this build (5xx). */
    public static final int DAEMON_ERROR = 5;
}
