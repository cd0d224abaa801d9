package io.gannet.cluster.store.file;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.List;

/** The file store's JSON document (one file, replaced as a whole on every write). */
record FileStoreData(
        @JsonProperty(value = "format", required = true) int format,
        @JsonProperty(value = "revision", required = true) long revision,
        @JsonProperty(value = "leases", required = true) List<LeaseData> leases,
        @JsonProperty(value = "keys", required = true) List<KeyData> keys,
        @JsonProperty("changesFrom") long changesFrom,
        @JsonProperty("changes") @JsonSetter(nulls = Nulls.AS_EMPTY) List<ChangeData> changes) {

    static final int FORMAT = 1;

    record LeaseData(@JsonProperty(value = "id", required = true) long id,
                     @JsonProperty(value = "ttlMillis", required = true) long ttlMillis,
                     @JsonProperty(value = "expiresAtMillis", required = true) long expiresAtMillis) {}

    record KeyData(@JsonProperty(value = "key", required = true) String key,
                   @JsonProperty(value = "value", required = true) byte[] value,
                   @JsonProperty(value = "createRevision", required = true) long createRevision,
                   @JsonProperty(value = "modRevision", required = true) long modRevision,
                   @JsonProperty(value = "version", required = true) long version,
                   @JsonProperty(value = "lease", required = true) long lease) {}

    /**
     * One key change of the recent past, so that other processes watching the file see every
     * revision in order (as an etcd watch does), not only the difference between two reads.
     * {@code changesFrom} is the first revision from which the list is complete; a reader that
     * last saw an older revision falls back to the difference (as after an etcd compaction).
     */
    record ChangeData(@JsonProperty(value = "revision", required = true) long revision,
                      @JsonProperty(value = "deleted", required = true) boolean deleted,
                      @JsonProperty(value = "key", required = true) KeyData kv) {}
}
