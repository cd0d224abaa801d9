package io.gannet.bgp.session;

import io.gannet.bgp.rib.RouteProcessor;
import java.util.function.Consumer;

/**
 * What every session of one speaker shares. Event loop only.
 *
 * @param routerId       our BGP identifier
 * @param restartingUntilMillis wall-clock time until which we are a restarting speaker
 *                       (RFC 4724 Restart State bit set in our OPENs); 0 = not restarting
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
        Consumer<PeerSession> dynamicIdle) {

    boolean restarting() {
        return restartingUntilMillis != 0 && scheduler.currentTimeMillis() < restartingUntilMillis;
    }
}
