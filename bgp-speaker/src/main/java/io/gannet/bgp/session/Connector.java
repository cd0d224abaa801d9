package io.gannet.bgp.session;

import io.gannet.bgp.config.PeerConfig;

/**
 * Opens outbound TCP connections for sessions. The result comes back on the event loop as
 * {@link PeerSession#connected} or {@link PeerSession#connectFailed}.
 */
public interface Connector {
    /** Starts connecting to {@code session}'s peer; the returned handle abandons the attempt. */
    Attempt connect(PeerSession session, PeerConfig config);

    interface Attempt {
        void cancel();
    }
}
