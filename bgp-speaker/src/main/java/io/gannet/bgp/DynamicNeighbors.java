package io.gannet.bgp;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig.DynamicNeighborRange;
import java.net.InetAddress;

/** Dynamic-neighbor ranges (route-server / core role): membership and the derived peer config. */
final class DynamicNeighbors {
    private DynamicNeighbors() {}

    static boolean contains(DynamicNeighborRange range, InetAddress address) {
        byte[] net = range.prefix().getAddress();
        byte[] a = address.getAddress();
        if (net.length != a.length) {
            return false;
        }
        int bits = range.length();
        for (int i = 0; i < net.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((net[i] & mask) != (a[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The template with the connecting peer's name and address; always passive. */
    static PeerConfig configFor(DynamicNeighborRange range, InetAddress address) {
        PeerConfig t = range.template();
        return new PeerConfig("dynamic-" + address.getHostAddress(), address, t.remoteAs(), t.localAs(), t.localAddress(),
                t.port(), true, t.holdTimeSeconds(), t.connectRetrySeconds(), t.md5Password(), t.ttlSecurityHops(),
                t.multihopTtl(), t.families(), t.routeReflectorClient(), t.nextHopSelf(), t.gracefulRestart(),
                t.gracefulRestartSeconds(), t.extendedMessage(), t.importPolicy(), t.exportPolicy(), t.maxPrefixes(),
                t.maxPrefixAction(), t.sendHoldTimeSeconds(), t.bfdStrict(), t.delayOpenSeconds(), t.keepReceived());
    }
}
