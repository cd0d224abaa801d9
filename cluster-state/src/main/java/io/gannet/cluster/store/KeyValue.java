package io.gannet.cluster.store;

import java.nio.charset.StandardCharsets;

/**
 * One key as the store holds it, with etcd's bookkeeping: the revision that created it, the
 * revision of its last change, how often it changed since creation, and the lease it is bound
 * to (0: none, it stays until deleted).
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {
    public String text() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue k && k.key.equals(key) && java.util.Arrays.equals(k.value, value) && k.createRevision == createRevision
                && k.modRevision == modRevision && k.version == version && k.lease == lease;
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + Long.hashCode(modRevision);
    }

    @Override
    public String toString() {
        return key + "=" + text() + "@" + modRevision + (lease != 0 ? " lease " + Long.toHexString(lease) : "");
    }
}
