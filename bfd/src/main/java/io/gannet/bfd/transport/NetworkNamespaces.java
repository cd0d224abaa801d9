package io.gannet.bfd.transport;

import java.io.IOException;

/**
 * Opening sockets inside another network namespace from a JVM that runs in the root one.
 *
 * <p>setns(2) with CLONE_NEWNET changes the namespace of the calling thread only (Linux
 * threads each carry their own nsproxy), and a socket belongs for life to the namespace it
 * was created in. So the BFD service's timer thread enters the namespace once at start and
 * opens every socket there; other threads may then use those descriptors freely. The JVM's
 * other threads, and the root namespace's interfaces, are untouched.
 */
public final class NetworkNamespaces {
    private NetworkNamespaces() {}

    /** Moves the calling thread into the namespace at {@code path} (e.g. /var/run/netns/NAME). */
    public static void enter(String path) throws IOException {
        Native.enterNetworkNamespace(path);
    }
}
