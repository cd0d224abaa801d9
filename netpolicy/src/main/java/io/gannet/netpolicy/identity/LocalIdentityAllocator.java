package io.gannet.netpolicy.identity;

import io.gannet.netpolicy.model.Labels;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * One host's allocator: numbers from {@link ReservedIdentity#FIRST_ENDPOINT} with reference
 * counts, freed numbers reused lowest-first only after they were released. Not thread-safe:
 * owned by the policy engine's thread.
 */
public final class LocalIdentityAllocator implements IdentityAllocator {
    private final Map<Labels, int[]> byLabels = new HashMap<>();
    private final Deque<Integer> free = new ArrayDeque<>();
    private int next = ReservedIdentity.FIRST_ENDPOINT;

    @Override
    public int allocate(Labels labels) {
        int[] entry = byLabels.get(labels);
        if (entry != null) {
            entry[1]++;
            return entry[0];
        }
        int id;
        if (!free.isEmpty()) {
            id = free.pollFirst();
        } else {
            if (next > ReservedIdentity.LAST_ENDPOINT) {
                throw new IllegalStateException("all " + (ReservedIdentity.LAST_ENDPOINT - ReservedIdentity.FIRST_ENDPOINT + 1)
                        + " endpoint identities are in use: too many distinct label sets");
            }
            id = next++;
        }
        byLabels.put(labels, new int[] {id, 1});
        return id;
    }

    @Override
    public void release(Labels labels) {
        int[] entry = byLabels.get(labels);
        if (entry != null && --entry[1] == 0) {
            byLabels.remove(labels);
            free.addLast(entry[0]);
        }
    }
}
