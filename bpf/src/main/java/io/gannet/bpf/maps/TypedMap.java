package io.gannet.bpf.maps;

import io.gannet.bpf.libbpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A BPF map seen through Java key/value layouts. Thread safety: as {@link BpfMap}.
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final Layout<K> keyLayout;
    private final Layout<V> valueLayout;

    public TypedMap(BpfMap map, Layout<K> keyLayout, Layout<V> valueLayout) {
        if (map.keySize() != keyLayout.size() || map.valueSize() != valueLayout.size()) {
            throw new IllegalStateException("map " + map.name() + " has key/value " + map.keySize() + "/" + map.valueSize()
                    + " bytes but Java mirrors " + keyLayout.cName() + "/" + valueLayout.cName() + " are "
                    + keyLayout.size() + "/" + valueLayout.size() + ": lib/maps.h and io.gannet.bpf.maps disagree");
        }
        this.map = map;
        this.keyLayout = keyLayout;
        this.valueLayout = valueLayout;
    }

    public BpfMap raw() {
        return map;
    }

    public void put(K key, V value) {
        map.update(keyLayout.encode(key), valueLayout.encode(value), BpfMap.BPF_ANY);
    }

    public V get(K key) {
        byte[] v = map.lookup(keyLayout.encode(key));
        return v == null ? null : valueLayout.decode(v);
    }

    public boolean delete(K key) {
        return map.delete(keyLayout.encode(key));
    }

    /** Writes all entries in one BPF_MAP_UPDATE_BATCH per {@code chunk} entries. */
    public void putAll(List<Map.Entry<K, V>> entries) {
        final int chunk = 8192;
        for (int from = 0; from < entries.size(); from += chunk) {
            int n = Math.min(chunk, entries.size() - from);
            ByteBuffer keys = ByteBuffer.allocate(n * keyLayout.size()).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer values = ByteBuffer.allocate(n * valueLayout.size()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                Map.Entry<K, V> e = entries.get(from + i);
                keyLayout.write(e.getKey(), keys);
                valueLayout.write(e.getValue(), values);
            }
            map.updateBatch(keys.array(), values.array(), n, BpfMap.BPF_ANY);
        }
    }

    /** Deletes keys (absent keys are ignored), batched where possible. */
    public void deleteAll(List<K> keys) {
        for (K k : keys) {
            map.delete(keyLayout.encode(k));
        }
    }

    /** Visits every entry (BPF_MAP_LOOKUP_BATCH). */
    public void forEach(BiConsumer<K, V> visitor) {
        map.forEachBatch(4096, (k, v) -> visitor.accept(keyLayout.decode(k), valueLayout.decode(v)));
    }

    /** Visits every entry one key at a time (get_next_key + lookup), for map types without batch ops. */
    public void forEachSlow(BiConsumer<K, V> visitor) {
        byte[] k = map.nextKey(null);
        while (k != null) {
            byte[] v = map.lookup(k);
            if (v != null) {
                visitor.accept(keyLayout.decode(k), valueLayout.decode(v));
            }
            k = map.nextKey(k);
        }
    }

    public Map<K, V> snapshot() {
        Map<K, V> out = new LinkedHashMap<>();
        forEach(out::put);
        return out;
    }

    /** {@link #snapshot()} one key at a time (LPM tries and other maps without batch ops). */
    public Map<K, V> snapshotSlow() {
        Map<K, V> out = new LinkedHashMap<>();
        forEachSlow(out::put);
        return out;
    }
}
