package io.gannet.bgp.wire.attr;

import java.util.Arrays;

/**
 * Makes identical attribute sets one object with one dense id. Lookup hashes a
 * {@link AttributesBuilder} in place, so a hit (the common case: a peer sends the same
 * attributes in message after message) allocates nothing.
 *
 * <p>Lifetime: each stored reference (an Adj-RIB-In path, an Adj-RIB-Out entry) holds a count
 * taken with {@link #acquire} and dropped with {@link #release}; a set whose count falls to zero
 * leaves the table and its id is reused. Sets interned but never acquired (a rejected route's
 * attributes) are dropped by {@link #sweep}.
 *
 * <p>Threading: owned by one thread (the speaker's event loop); no locking.
 */
public final class AttributeInterner {
    private PathAttributes[] table = new PathAttributes[1024]; // open addressing, linear probing
    private int size;
    private PathAttributes[] byId = new PathAttributes[256];
    private int[] refs = new int[256];
    private int[] freeIds = new int[64];
    private int freeCount;
    private int nextId = 1; // id 0 means "no attributes" in RIB arrays

    /** The interned set equal to {@code b}; new ids start with a reference count of zero. */
    public PathAttributes intern(AttributesBuilder b) {
        int h = b.hash();
        int mask = table.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            PathAttributes p = table[i];
            if (p == null) {
                break;
            }
            if (p.hash == h && b.matches(p)) {
                return p;
            }
        }
        PathAttributes p = new PathAttributes(b);
        p.id = allocateId();
        byId[p.id] = p;
        refs[p.id] = 0;
        if ((size + 1) * 2 > table.length) {
            rehash(table.length * 2);
        }
        insert(p);
        size++;
        return p;
    }

    public PathAttributes get(int id) {
        return byId[id];
    }

    public void acquire(int id) {
        refs[id]++;
    }

    public void release(int id) {
        if (--refs[id] == 0) {
            remove(byId[id]);
        }
    }

    public int refCount(int id) {
        return refs[id];
    }

    /** Live attribute sets. */
    public int size() {
        return size;
    }

    /** Drops every set nobody holds. */
    public void sweep() {
        for (int id = 1; id < nextId; id++) {
            if (byId[id] != null && refs[id] == 0) {
                remove(byId[id]);
            }
        }
    }

    private int allocateId() {
        if (freeCount > 0) {
            return freeIds[--freeCount];
        }
        int id = nextId++;
        if (id >= byId.length) {
            byId = Arrays.copyOf(byId, byId.length * 2);
            refs = Arrays.copyOf(refs, refs.length * 2);
        }
        return id;
    }

    private void insert(PathAttributes p) {
        int mask = table.length - 1;
        int i = p.hash & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = p;
    }

    private void rehash(int capacity) {
        PathAttributes[] old = table;
        table = new PathAttributes[capacity];
        for (PathAttributes p : old) {
            if (p != null) {
                insert(p);
            }
        }
    }

    private void remove(PathAttributes p) {
        int mask = table.length - 1;
        int i = p.hash & mask;
        while (table[i] != p) {
            i = (i + 1) & mask;
        }
        table[i] = null;
        // Backward-shift deletion keeps probe chains intact without tombstones.
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            PathAttributes q = table[j];
            int home = q.hash & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                table[i] = q;
                table[j] = null;
                i = j;
            }
        }
        size--;
        byId[p.id] = null;
        if (freeCount == freeIds.length) {
            freeIds = Arrays.copyOf(freeIds, freeIds.length * 2);
        }
        freeIds[freeCount++] = p.id;
    }
}
