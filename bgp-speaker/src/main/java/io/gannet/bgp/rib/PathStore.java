package io.gannet.bgp.rib;

/**
 * Every candidate path of every prefix, in parallel primitive arrays: the peer it came from,
 * its interned attribute id, the next path of the same prefix (a singly linked list per prefix,
 * -1 ends it) and flag bits. This is the post-import Adj-RIB-In of all peers at once: a path
 * costs 11 bytes and no object (the peer is 16 bits: a RIB has at most {@value #MAX_PEERS}
 * peers). Freed entries are reused; the arrays grow by pages
 * ({@link IntPages}), never by copying.
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class PathStore {
    static final int STALE = 1;
    static final int MULTIPATH = 2;
    /** Peer ids are stored in 16 bits (-1 marks a free entry). */
    static final int MAX_PEERS = Short.MAX_VALUE;

    ShortPages peer;
    IntPages attr;
    IntPages next;
    BytePages flags;
    private int highWater;
    private int freeHead = -1;
    private int size;

    PathStore(int capacity) {
        peer = new ShortPages(capacity, (short) 0);
        attr = new IntPages(capacity, 0);
        next = new IntPages(capacity, 0);
        flags = new BytePages(capacity, (byte) 0);
    }

    int allocate(int peerId, int attrId, int nextPath) {
        int p;
        if (freeHead >= 0) {
            p = freeHead;
            freeHead = next.get(p);
        } else {
            if (highWater == peer.capacity()) {
                peer.grow(highWater + 1);
                attr.grow(highWater + 1);
                next.grow(highWater + 1);
                flags.grow(highWater + 1);
            }
            p = highWater++;
        }
        peer.set(p, peerId);
        attr.set(p, attrId);
        next.set(p, nextPath);
        flags.set(p, (byte) 0);
        size++;
        return p;
    }

    void free(int p) {
        peer.set(p, -1);
        next.set(p, freeHead);
        freeHead = p;
        size--;
    }

    int size() {
        return size;
    }

    int capacity() {
        return peer.capacity();
    }

    /**
     * Gives memory back: renumbers the live paths densely into arrays of {@code newCapacity}
     * (at least the live count), with their {@code next} links remapped.
     *
     * @return the old path -> new path map (-1 for free entries); the caller remaps its heads
     */
    int[] compact(int newCapacity) {
        int cap = Math.max(16, Math.max(newCapacity, size));
        int[] map = new int[highWater];
        int n = 0;
        for (int p = 0; p < highWater; p++) {
            map[p] = peer.get(p) >= 0 ? n++ : -1;
        }
        ShortPages npeer = new ShortPages(cap, (short) 0);
        IntPages nattr = new IntPages(cap, 0);
        IntPages nnext = new IntPages(cap, 0);
        BytePages nflags = new BytePages(cap, (byte) 0);
        for (int p = 0; p < highWater; p++) {
            int t = map[p];
            if (t >= 0) {
                npeer.set(t, peer.get(p));
                nattr.set(t, attr.get(p));
                nnext.set(t, next.get(p) >= 0 ? map[next.get(p)] : -1);
                nflags.set(t, flags.get(p));
            }
        }
        peer = npeer;
        attr = nattr;
        next = nnext;
        flags = nflags;
        highWater = n;
        freeHead = -1;
        return map;
    }

    boolean has(int p, int flag) {
        return (flags.get(p) & flag) != 0;
    }

    void set(int p, int flag, boolean on) {
        byte b = flags.get(p);
        flags.set(p, (byte) (on ? b | flag : b & ~flag));
    }
}
