package io.gannet.bgp.session;

import io.gannet.bgp.rib.RouteProcessor;
import io.gannet.bgp.wire.AddressFamily;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What every session of one speaker shares. Event loop only.
 *
 * @param routerId       our BGP identifier
 * @param restartingUntilMillis wall-clock time until which we are a restarting speaker
 *                       (RFC 4724 Restart State bit set in our OPENs); 0 = not restarting
 * @param forwardingKept the families whose forwarding state the restart kept: while restarting,
 *                       their Forwarding State (F) bit is set in our OPENs, the others' is clear
 *                       (RFC 4724 4.2: a peer flushes a family's stale routes at once without it)
 * @param dynamicIdle    told when a dynamic neighbor's session is over and can be forgotten
 */
public record SessionContext(
        Scheduler scheduler,
        Connector connector,
        RouteProcessor routes,
        SessionListener listener,
        PeerIndexes indexes,
        Jitter jitter,
        long routerId,
        long restartingUntilMillis,
        Set<AddressFamily> forwardingKept,
        Consumer<PeerSession> dynamicIdle) {

    /** Every family's forwarding kept while restarting (the state file's restart). */
    public SessionContext(Scheduler scheduler, Connector connector, RouteProcessor routes, SessionListener listener,
            PeerIndexes indexes, Jitter jitter, long routerId, long restartingUntilMillis, Consumer<PeerSession> dynamicIdle) {
        this(scheduler, connector, routes, listener, indexes, jitter, routerId, restartingUntilMillis,
                Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), dynamicIdle);
    }

    public SessionContext {
        forwardingKept = Set.copyOf(forwardingKept);
    }

    boolean restarting() {
        return restartingUntilMillis != 0 && scheduler.currentTimeMillis() < restartingUntilMillis;
    }
}
