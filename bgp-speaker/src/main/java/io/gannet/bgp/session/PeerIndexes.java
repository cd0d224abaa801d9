package io.gannet.bgp.session;

import java.util.BitSet;

/**
 * Hands out the small dense {@link io.gannet.bgp.rib.PeerLink#peerIndex} values: the lowest
 * free one, so the RIB can keep per-peer state in arrays. Event loop only.
 */
public final class PeerIndexes {
    private final BitSet used = new BitSet();

    public int acquire() {
        int i = used.nextClearBit(0);
        used.set(i);
        return i;
    }

    public void release(int index) {
        used.clear(index);
    }
}
