package io.gannet.agent.logging;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/**
 * Decides which exceptions are the network being the network: a peer that is down, resets,
 * times out or closes the socket. Those are logged as one line without a stack trace; a stack
 * trace there would only bury the state changes an operator looks for.
 */
public final class ExpectedErrors {
    private ExpectedErrors() {}

    public static boolean isExpected(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof NoRouteToHostException
                    || c instanceof PortUnreachableException || c instanceof SocketTimeoutException
                    || c instanceof ClosedChannelException || c instanceof EOFException
                    || c instanceof TimeoutException || c instanceof SocketException) {
                return true;
            }
            // netty's native transport reports errno failures (ECONNRESET, EPIPE, ETIMEDOUT) as
            // Errors.NativeIoException, an IOException subclass in a package we do not import.
            if (c instanceof IOException && c.getClass().getName().startsWith("io.netty.channel.unix.Errors")) {
                return true;
            }
        }
        return false;
    }

    /** The error as one short text: "Connection refused", "ConnectTimeoutException: ...". */
    public static String describe(Throwable t) {
        String m = t.getMessage();
        String type = t.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return type;
        }
        return t instanceof IOException && !(t instanceof EOFException) ? m : type + ": " + m;
    }
}
