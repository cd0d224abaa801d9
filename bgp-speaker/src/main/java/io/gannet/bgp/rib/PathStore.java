package io.gannet.bgp.rib;

/**
 * Every candidate path of every prefix, in parallel primitive arrays: the peer it came from and
 * its flag bits (one 16-bit word), its interned attribute id, and the next path of the same prefix
 * (a singly linked list per prefix, -1 ends it). This is the post-import Adj-RIB-In of all peers
 * at once: a path costs 10 bytes and no object (the peer takes 13 bits: a RIB has at most
 * {@value #MAX_PEERS} peers). Freed entries are reused; the arrays grow by pages
 * ({@link IntPages}), never by copying.
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class PathStore {
    static final int STALE = 1;
    static final int MULTIPATH = 2;
    /** A word holds the peer id in its low 13 bits, the flags above it; -1 marks a free entry. */
    private static final int PEER_BITS = 13;
    private static final int PEER_MASK = (1 << PEER_BITS) - 1;
    /** Peer ids are 0 .. MAX_PEERS - 1. */
    static final int MAX_PEERS = 1 << PEER_BITS;

    private ShortPages word;
    IntPages attr;
    IntPages next;
    private int highWater;
    private int freeHead = -1;
    private int size;

    PathStore(int capacity) {
        word = new ShortPages(capacity, (short) 0);
        attr = new IntPages(capacity, 0);
        next = new IntPages(capacity, 0);
    }

    /** The peer path {@code p} came from. */
    int peer(int p) {
        return word.get(p) & PEER_MASK;
    }

    int allocate(int peerId, int attrId, int nextPath) {
        int p;
        if (freeHead >= 0) {
            p = freeHead;
            freeHead = next.get(p);
        } else {
            if (highWater == word.capacity()) {
                word.grow(highWater + 1);
                attr.grow(highWater + 1);
                next.grow(highWater + 1);
            }
            p = highWater++;
        }
        word.set(p, peerId); // no flags
        attr.set(p, attrId);
        next.set(p, nextPath);
        size++;
        return p;
    }

    void free(int p) {
        word.set(p, -1);
        next.set(p, freeHead);
        freeHead = p;
        size--;
    }

    int size() {
        return size;
    }

    int capacity() {
        return word.capacity();
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
            map[p] = word.get(p) >= 0 ? n++ : -1;
        }
        ShortPages nword = new ShortPages(cap, (short) 0);
        IntPages nattr = new IntPages(cap, 0);
        IntPages nnext = new IntPages(cap, 0);
        for (int p = 0; p < highWater; p++) {
            int t = map[p];
            if (t >= 0) {
                nword.set(t, word.get(p));
                nattr.set(t, attr.get(p));
                nnext.set(t, next.get(p) >= 0 ? map[next.get(p)] : -1);
            }
        }
        word = nword;
        attr = nattr;
        next = nnext;
        highWater = n;
        freeHead = -1;
        return map;
    }

    boolean has(int p, int flag) {
        return (word.get(p) >> PEER_BITS & flag) != 0;
    }

    void set(int p, int flag, boolean on) {
        int w = word.get(p);
        word.set(p, on ? w | flag << PEER_BITS : w & ~(flag << PEER_BITS));
    }
}
