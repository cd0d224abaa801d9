package io.gannet.cluster.store;

/** One change seen by a watch: a put (with the new value) or a delete (with the key's last known value, or an empty value). */
public record WatchEvent(Type type, KeyValue kv) {
    public enum Type { PUT, DELETE }
}
