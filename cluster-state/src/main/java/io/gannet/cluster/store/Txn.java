package io.gannet.cluster.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A transaction as etcd v3 defines it, reduced to what allocation needs: every compare must
 * hold, then every operation is applied atomically at one new revision; otherwise nothing
 * changes. Build with {@link #begin()}.
 */
public final class Txn {
    /** One condition on one key. */
    public sealed interface Compare permits Absent, ModRevision, ValueEquals {
        String key();
    }

    /** The key does not exist. */
    public record Absent(String key) implements Compare {}

    /** The key's last change happened at exactly this revision (0 also means: absent). */
    public record ModRevision(String key, long revision) implements Compare {}

    /** The key exists and holds exactly these bytes. */
    public record ValueEquals(String key, byte[] value) implements Compare {}

    /** One change. */
    public sealed interface Op permits Put, Delete {
        String key();
    }

    /** Writes {@code value}, bound to {@code lease} (0: no lease). */
    public record Put(String key, byte[] value, long lease) implements Op {}

    public record Delete(String key) implements Op {}

    private final List<Compare> compares = new ArrayList<>();
    private final List<Op> ops = new ArrayList<>();

    private Txn() {}

    public static Txn begin() {
        return new Txn();
    }

    public Txn ifAbsent(String key) {
        compares.add(new Absent(Keys.check(key)));
        return this;
    }

    public Txn ifModRevision(String key, long revision) {
        compares.add(new ModRevision(Keys.check(key), revision));
        return this;
    }

    public Txn ifValue(String key, String value) {
        compares.add(new ValueEquals(Keys.check(key), value.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    public Txn put(String key, String value) {
        return put(key, value, 0);
    }

    public Txn put(String key, String value, long lease) {
        ops.add(new Put(Keys.check(key), value.getBytes(StandardCharsets.UTF_8), lease));
        return this;
    }

    public Txn delete(String key) {
        ops.add(new Delete(Keys.check(key)));
        return this;
    }

    public List<Compare> compares() {
        return List.copyOf(compares);
    }

    public List<Op> ops() {
        return List.copyOf(ops);
    }
}
