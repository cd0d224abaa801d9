package io.gannet.agent.cli;

/** The control socket could not be used; the message says why and what to do. */
public final class DaemonUnreachableException extends Exception {
    public DaemonUnreachableException(String message) {
        super(message, null, false, false);
    }
}
