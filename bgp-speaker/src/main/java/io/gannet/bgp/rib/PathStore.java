package io.gannet.bgp.rib;

import java.util.Arrays;

/**
 * Every candidate path of every prefix, in parallel primitive arrays: the peer it came from,
 * its interned attribute id, the next path of the same prefix (a singly linked list per prefix,
 * -1 ends it) and flag bits. This is the post-import Adj-RIB-In of all peers at once: a path
 * costs 13 bytes and no object. Freed entries are reused.
 *
 * <p>Threading: owned by the RIB's loop.
 */
final class PathStore {
    static final int STALE = 1;
    static final int MULTIPATH = 2;

    int[] peer;
    int[] attr;
    int[] next;
    byte[] flags;
    private int highWater;
    private int freeHead = -1;
    private int size;

    PathStore(int capacity) {
        peer = new int[capacity];
        attr = new int[capacity];
        next = new int[capacity];
        flags = new byte[capacity];
    }

    int allocate(int peerId, int attrId, int nextPath) {
        int p;
        if (freeHead >= 0) {
            p = freeHead;
            freeHead = next[p];
        } else {
            if (highWater == peer.length) {
                int cap = peer.length * 2;
                peer = Arrays.copyOf(peer, cap);
                attr = Arrays.copyOf(attr, cap);
                next = Arrays.copyOf(next, cap);
                flags = Arrays.copyOf(flags, cap);
            }
            p = highWater++;
        }
        peer[p] = peerId;
        attr[p] = attrId;
        next[p] = nextPath;
        flags[p] = 0;
        size++;
        return p;
    }

    void free(int p) {
        peer[p] = -1;
        next[p] = freeHead;
        freeHead = p;
        size--;
    }

    int size() {
        return size;
    }

    int capacity() {
        return peer.length;
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
            map[p] = peer[p] >= 0 ? n++ : -1;
        }
        int[] npeer = new int[cap];
        int[] nattr = new int[cap];
        int[] nnext = new int[cap];
        byte[] nflags = new byte[cap];
        for (int p = 0; p < highWater; p++) {
            int t = map[p];
            if (t >= 0) {
                npeer[t] = peer[p];
                nattr[t] = attr[p];
                nnext[t] = next[p] >= 0 ? map[next[p]] : -1;
                nflags[t] = flags[p];
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
        return (flags[p] & flag) != 0;
    }

    void set(int p, int flag, boolean on) {
        flags[p] = (byte) (on ? flags[p] | flag : flags[p] & ~flag);
    }
}
