package io.gannet.cluster.store.file;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gannet.cluster.store.ClusterStore;
import io.gannet.cluster.store.KeyValue;
import io.gannet.cluster.store.Keys;
import io.gannet.cluster.store.StoreException;
import io.gannet.cluster.store.Txn;
import io.gannet.cluster.store.TxnResult;
import io.gannet.cluster.store.WatchEvent;
import io.gannet.cluster.store.WatchListener;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one JSON file, {@code <dir>/store.json}, for one host (any number of
 * processes on it).
 *
 * <p>Every change is read-modify-write under an exclusive {@code flock} on {@code store.lock}
 * (plus an in-process lock, since a JVM holds one flock per file): read the file if another
 * process replaced it, apply, write a temporary file, {@code fsync} it, {@code rename} it over
 * {@code store.json}, {@code fsync} the directory. A process killed at any point leaves either
 * the old file or the new one, never a mix; a file that does not parse is reported as
 * {@code file:line:column: what} and never overwritten.
 *
 * <p>Leases are records with a wall-clock expiry that the holding process renews; whoever
 * touches the store after an expiry deletes the lease's keys. Watches are inotify (the JDK's
 * {@link WatchService}) on the directory for other processes' writes, and direct for this
 * process's own; a timer fires at the next lease expiry. Nothing polls.
 *
 * <p>Threads: callers any; one timer thread (lease renewal and expiry); one watch thread
 * (inotify, listener calls).
 */
public final class FileStore implements ClusterStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileStore.class);
    static final String DATA = "store.json";
    /** Key changes kept in the file for other processes' watches (about 100 kB of JSON). */
    static final int MAX_CHANGES = 1024;
    /** Fields marked required must be present; the change log is optional (files written before it read as they are). */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES);

    private record Entry(byte[] value, long create, long mod, long version, long lease) {
        KeyValue kv(String key) {
            return new KeyValue(key, value, create, mod, version, lease);
        }
    }

    private record LeaseRec(long ttlMillis, long expiresAtMillis) {}

    private record Stamp(Object fileKey, long modifiedNanos, long size) {}

    private record Watch(String prefix, WatchListener listener) {}

    private final Path dir;
    private final Path data;
    private final Clock clock;
    /** One lock per store directory in this JVM: a JVM may hold only one flock per file. */
    private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    private final ReentrantLock lock;
    private final FileChannel lockChannel;
    private final ScheduledExecutorService timer;
    private final ExecutorService watchThread;
    private final WatchService inotify;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final Map<Long, ScheduledFuture<?>> renewals = new HashMap<>();
    /** The handles of this process's leases, for their confirmation time; guarded by {@link #renewals}. */
    private final Map<Long, FileLease> leaseHandles = new HashMap<>();

    // state as last read or written; guarded by lock
    private TreeMap<String, Entry> keys = new TreeMap<>();
    private Map<Long, LeaseRec> leases = new HashMap<>();
    private long revision;
    /** The recent key changes, oldest first, complete from revision {@link #changesFrom}. */
    private final ArrayDeque<FileStoreData.ChangeData> changes = new ArrayDeque<>();
    private long changesFrom = 1;
    private Stamp stamp;
    private ScheduledFuture<?> expiryTimer;
    private volatile boolean closed;

    private FileStore(Path dir, Clock clock) throws IOException {
        this.dir = dir;
        this.data = dir.resolve(DATA);
        this.clock = clock;
        Files.createDirectories(dir);
        this.lock = JVM_LOCKS.computeIfAbsent(dir.toRealPath(), d -> new ReentrantLock());
        this.lockChannel = FileChannel.open(dir.resolve("store.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "gannet-filestore-timer"));
        this.watchThread = Executors.newSingleThreadExecutor(r -> daemon(r, "gannet-filestore-watch"));
        this.inotify = dir.getFileSystem().newWatchService();
    }

    /**
     * Opens the store in {@code dir} (created if missing).
     *
     * @throws StoreException CORRUPT when {@code store.json} cannot be read (it is left as it is)
     */
    public static FileStore open(Path dir, Clock clock) {
        FileStore s;
        try {
            s = new FileStore(dir, clock);
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot open the file store in " + dir + ": " + e.getMessage(), e);
        }
        try {
            s.locked(() -> null);
            s.dir.register(s.inotify, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
            s.close();
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot watch " + dir + ": " + e.getMessage(), e);
        }
        Thread.ofPlatform().daemon().name("gannet-filestore-inotify").start(s::inotifyLoop);
        return s;
    }

    public static FileStore open(Path dir) {
        return open(dir, Clock.systemUTC());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String describe() {
        return "file:" + dir;
    }

    @Override
    public Optional<KeyValue> get(String key) {
        Keys.check(key);
        return locked(() -> Optional.ofNullable(keys.get(key)).map(e -> e.kv(key)));
    }

    @Override
    public List<KeyValue> list(String prefix) {
        return locked(() -> snapshot(prefix));
    }

    private List<KeyValue> snapshot(String prefix) {
        List<KeyValue> out = new ArrayList<>();
        for (Map.Entry<String, Entry> e : keys.tailMap(prefix, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            out.add(e.getValue().kv(e.getKey()));
        }
        return out;
    }

    @Override
    public TxnResult commit(Txn txn) {
        List<Txn.Compare> compares = txn.compares();
        List<Txn.Op> ops = txn.ops();
        return locked(() -> {
            for (Txn.Compare c : compares) {
                if (!holds(c)) {
                    return new TxnResult(false, revision);
                }
            }
            for (Txn.Op op : ops) {
                if (op instanceof Txn.Put p && p.lease() != 0 && !leases.containsKey(p.lease())) {
                    throw new StoreException(StoreException.Reason.BAD_REQUEST, "lease " + Long.toHexString(p.lease()) + " does not exist (expired or revoked)");
                }
            }
            if (ops.isEmpty()) {
                return new TxnResult(true, revision);
            }
            Map<String, Entry> before = new HashMap<>();
            long rev = revision + 1;
            for (Txn.Op op : ops) {
                before.putIfAbsent(op.key(), keys.get(op.key()));
                if (op instanceof Txn.Put p) {
                    Entry old = keys.get(p.key());
                    keys.put(p.key(), new Entry(p.value().clone(), old == null ? rev : old.create, rev, old == null ? 1 : old.version + 1, p.lease()));
                } else {
                    keys.remove(op.key());
                }
            }
            revision = rev;
            List<WatchEvent> events = new ArrayList<>();
            for (Map.Entry<String, Entry> b : before.entrySet()) {
                Entry now = keys.get(b.getKey());
                if (now != null) {
                    events.add(new WatchEvent(WatchEvent.Type.PUT, now.kv(b.getKey())));
                } else if (b.getValue() != null) {
                    Entry old = b.getValue();
                    events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(b.getKey(), old.value, old.create, rev, old.version, old.lease)));
                }
            }
            record(events);
            write();
            publish(events);
            return new TxnResult(true, rev);
        });
    }

    private boolean holds(Txn.Compare c) {
        Entry e = keys.get(c.key());
        return switch (c) {
            case Txn.Absent a -> e == null;
            case Txn.ModRevision m -> (e == null ? 0 : e.mod) == m.revision();
            case Txn.ValueEquals v -> e != null && Arrays.equals(e.value, v.value());
        };
    }

    @Override
    public Lease grantLease(Duration ttl) {
        if (ttl.toMillis() < 1000) {
            throw new StoreException(StoreException.Reason.BAD_REQUEST, "a lease TTL must be at least 1 s, not " + ttl.toMillis() + " ms");
        }
        long asked = System.nanoTime();
        long id = locked(() -> {
            long candidate;
            do {
                candidate = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            } while (leases.containsKey(candidate));
            leases.put(candidate, new LeaseRec(ttl.toMillis(), clock.millis() + ttl.toMillis()));
            revision++;
            write();
            return candidate;
        });
        long period = Math.max(100, ttl.toMillis() / 3);
        synchronized (renewals) {
            renewals.put(id, timer.scheduleWithFixedDelay(() -> renew(id), period, period, TimeUnit.MILLISECONDS));
        }
        FileLease l = new FileLease(id, ttl, asked + ttl.toNanos());
        synchronized (renewals) {
            leaseHandles.put(id, l);
        }
        return l;
    }

    private void renew(long id) {
        long asked = System.nanoTime();
        try {
            boolean alive = locked(() -> {
                LeaseRec r = leases.get(id);
                if (r == null) {
                    return false;
                }
                leases.put(id, new LeaseRec(r.ttlMillis, clock.millis() + r.ttlMillis));
                write();
                return true;
            });
            FileLease l;
            synchronized (renewals) {
                l = leaseHandles.get(id);
            }
            if (!alive) {
                LOG.warn("store: lease {} expired before it could be renewed; what it held was released", Long.toHexString(id));
                if (l != null) {
                    l.lost = true;
                }
                stopRenewing(id);
            } else if (l != null) {
                l.confirmedUntil = asked + l.ttl.toNanos();
            }
        } catch (StoreException e) {
            LOG.warn("store: renewing lease {} failed: {}", Long.toHexString(id), e.getMessage());
        }
    }

    private void stopRenewing(long id) {
        synchronized (renewals) {
            leaseHandles.remove(id);
            ScheduledFuture<?> f = renewals.remove(id);
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    private final class FileLease implements Lease {
        private final long id;
        private final Duration ttl;
        private volatile long confirmedUntil;
        private volatile boolean lost;

        FileLease(long id, Duration ttl, long confirmedUntil) {
            this.id = id;
            this.ttl = ttl;
            this.confirmedUntil = confirmedUntil;
        }

        @Override
        public long confirmedUntilNanos() {
            return confirmedUntil;
        }

        @Override
        public boolean lost() {
            return lost;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public Duration ttl() {
            return ttl;
        }

        @Override
        public void revoke() {
            lost = true;
            stopRenewing(id);
            locked(() -> {
                if (leases.remove(id) != null) {
                    revision++;
                    List<WatchEvent> events = dropLeaseKeys(List.of(id));
                    record(events);
                    write();
                    publish(events);
                }
                return null;
            });
        }

        @Override
        public void close() {
            stopRenewing(id);
        }
    }

    @Override
    public AutoCloseable watch(String prefix, WatchListener listener) {
        Objects.requireNonNull(listener);
        Watch w = new Watch(prefix, listener);
        locked(() -> {
            List<KeyValue> now = snapshot(prefix);
            long rev = revision;
            watches.add(w);
            watchThread.execute(() -> deliver(() -> listener.onResync(now, rev)));
            return null;
        });
        return () -> watches.remove(w);
    }

    /** Keeps the events of revision {@link #revision} in the change log, dropping whole old revisions past its bound. */
    private void record(List<WatchEvent> events) {
        for (WatchEvent e : events) {
            KeyValue kv = e.kv();
            changes.addLast(new FileStoreData.ChangeData(revision, e.type() == WatchEvent.Type.DELETE,
                    new FileStoreData.KeyData(kv.key(), kv.value(), kv.createRevision(), kv.modRevision(), kv.version(), kv.lease())));
        }
        while (changes.size() > MAX_CHANGES) {
            long dropped = changes.removeFirst().revision();
            while (!changes.isEmpty() && changes.peekFirst().revision() == dropped) {
                changes.removeFirst();
            }
            changesFrom = dropped + 1;
        }
    }

    /** Queues events for the watchers (called under the lock, so the queue order is the revision order). */
    private void publish(List<WatchEvent> events) {
        if (events.isEmpty() || watches.isEmpty()) {
            return;
        }
        for (Watch w : watches) {
            List<WatchEvent> mine = new ArrayList<>();
            for (WatchEvent e : events) {
                if (e.kv().key().startsWith(w.prefix)) {
                    mine.add(e);
                }
            }
            if (!mine.isEmpty()) {
                watchThread.execute(() -> {
                    if (watches.contains(w)) {
                        deliver(() -> w.listener.onEvents(mine));
                    }
                });
            }
        }
    }

    private static void deliver(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("store: a watch listener failed: {}", e.toString(), e);
        }
    }

    private void inotifyLoop() {
        while (!closed) {
            WatchKey k;
            try {
                k = inotify.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            boolean ours = false;
            for (var ev : k.pollEvents()) {
                if (ev.kind() == StandardWatchEventKinds.OVERFLOW || DATA.equals(String.valueOf(ev.context()))) {
                    ours = true;
                }
            }
            k.reset();
            if (ours && !closed) {
                try {
                    locked(() -> null); // refresh publishes what other processes changed
                } catch (RuntimeException e) {
                    LOG.warn("store: reading {} after a change by another process failed: {}", data, e.getMessage());
                }
            }
        }
    }

    // ---- the file ----

    private interface Body<T> {
        T run();
    }

    /** Runs {@code body} holding both locks, on fresh state, after expiring leases. */
    private <T> T locked(Body<T> body) {
        if (closed) {
            throw new StoreException(StoreException.Reason.CLOSED, "the file store in " + dir + " is closed");
        }
        lock.lock();
        FileLock fl = null;
        try {
            fl = lockChannel.lock();
            refresh();
            expire();
            return body.run();
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "file store " + dir + ": " + e.getMessage(), e);
        } finally {
            if (fl != null) {
                try {
                    fl.release();
                } catch (IOException ignored) {
                    // the channel is closing; the kernel drops the lock with it
                }
            }
            lock.unlock();
        }
    }

    private void refresh() throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(data, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return; // nothing written yet
        }
        Stamp s = new Stamp(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
        if (s.equals(stamp)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(data);
        FileStoreData d;
        try {
            d = JSON.readValue(bytes, FileStoreData.class);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? data.toString() : data + ":" + l.getLineNr() + ":" + l.getColumnNr();
            throw new StoreException(StoreException.Reason.CORRUPT, where + ": the file store is damaged (" + e.getOriginalMessage()
                    + "); it was left unchanged: restore it from a backup or move it aside");
        }
        TreeMap<String, Entry> nk = new TreeMap<>();
        Map<Long, LeaseRec> nl = new HashMap<>();
        validate(d, nk, nl);
        TreeMap<String, Entry> old = keys;
        keys = nk;
        leases = nl;
        long oldRev = revision;
        revision = d.revision();
        stamp = s;
        changes.clear();
        List<FileStoreData.ChangeData> log = d.changes();
        changes.addAll(log);
        changesFrom = d.changesFrom() == 0 ? revision + 1 : d.changesFrom(); // 0: written before the change log
        if (oldRev != 0 || !old.isEmpty()) {
            if (changesFrom <= oldRev + 1 && oldRev <= revision) {
                replay(log, oldRev);
            } else {
                publish(diff(old, nk, revision)); // too far behind for the log: the difference, as after a compaction
            }
        }
    }

    /** Publishes the logged changes after {@code since}, one batch per revision, in order. */
    private void replay(List<FileStoreData.ChangeData> log, long since) {
        List<WatchEvent> batch = new ArrayList<>();
        long batchRev = -1;
        for (FileStoreData.ChangeData c : log) {
            if (c.revision() <= since) {
                continue;
            }
            if (c.revision() != batchRev) {
                publish(batch);
                batch = new ArrayList<>();
                batchRev = c.revision();
            }
            FileStoreData.KeyData k = c.kv();
            batch.add(new WatchEvent(c.deleted() ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT,
                    new KeyValue(k.key(), k.value(), k.createRevision(), k.modRevision(), k.version(), k.lease())));
        }
        publish(batch);
    }

    private void validate(FileStoreData d, Map<String, Entry> nk, Map<Long, LeaseRec> nl) {
        if (d.format() != FileStoreData.FORMAT) {
            throw corrupt("format " + d.format() + " is not one this version reads (" + FileStoreData.FORMAT + ")");
        }
        for (FileStoreData.LeaseData l : d.leases()) {
            if (l == null || l.ttlMillis() <= 0) {
                throw corrupt("a lease without a positive TTL");
            }
            nl.put(l.id(), new LeaseRec(l.ttlMillis(), l.expiresAtMillis()));
        }
        for (FileStoreData.KeyData k : d.keys()) {
            if (k == null || k.key() == null || k.value() == null) {
                throw corrupt("a key without a name or value");
            }
            if (k.modRevision() > d.revision() || k.createRevision() > k.modRevision() || k.version() < 1) {
                throw corrupt("key " + k.key() + " has revisions that do not fit the store's revision " + d.revision());
            }
            if (k.lease() != 0 && !nl.containsKey(k.lease())) {
                throw corrupt("key " + k.key() + " is bound to lease " + Long.toHexString(k.lease()) + ", which does not exist");
            }
            if (nk.put(k.key(), new Entry(k.value(), k.createRevision(), k.modRevision(), k.version(), k.lease())) != null) {
                throw corrupt("key " + k.key() + " appears twice");
            }
        }
        long last = 0;
        for (FileStoreData.ChangeData c : d.changes()) {
            if (c == null || c.kv() == null || c.kv().key() == null || c.kv().value() == null
                    || c.revision() < last || c.revision() > d.revision() || c.revision() < d.changesFrom()) {
                throw corrupt("the change log is out of order or ahead of the store's revision " + d.revision());
            }
            last = c.revision();
        }
    }

    private StoreException corrupt(String what) {
        return new StoreException(StoreException.Reason.CORRUPT, data + ": the file store is damaged (" + what
                + "); it was left unchanged: restore it from a backup or move it aside");
    }

    private static List<WatchEvent> diff(Map<String, Entry> old, Map<String, Entry> now, long rev) {
        List<WatchEvent> out = new ArrayList<>();
        for (Map.Entry<String, Entry> e : now.entrySet()) {
            Entry o = old.get(e.getKey());
            if (o == null || o.mod != e.getValue().mod) {
                out.add(new WatchEvent(WatchEvent.Type.PUT, e.getValue().kv(e.getKey())));
            }
        }
        out.sort(Comparator.comparingLong(e -> e.kv().modRevision()));
        for (Map.Entry<String, Entry> e : old.entrySet()) {
            if (!now.containsKey(e.getKey())) {
                Entry o = e.getValue();
                out.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(e.getKey(), o.value, o.create, rev, o.version, o.lease)));
            }
        }
        return out;
    }

    /** Deletes expired leases and their keys (one revision), and arms the timer for the next expiry. */
    private void expire() {
        long now = clock.millis();
        List<Long> gone = new ArrayList<>();
        long next = Long.MAX_VALUE;
        for (Map.Entry<Long, LeaseRec> e : leases.entrySet()) {
            if (e.getValue().expiresAtMillis <= now) {
                gone.add(e.getKey());
            } else {
                next = Math.min(next, e.getValue().expiresAtMillis);
            }
        }
        if (!gone.isEmpty()) {
            revision++;
            gone.forEach(leases::remove);
            List<WatchEvent> events = dropLeaseKeys(gone);
            LOG.info("store: {} lease(s) expired, {} key(s) released", gone.size(), events.size());
            record(events);
            write();
            publish(events);
        }
        if (next != Long.MAX_VALUE && !closed) {
            if (expiryTimer != null) {
                expiryTimer.cancel(false);
            }
            expiryTimer = timer.schedule(() -> {
                try {
                    locked(() -> null);
                } catch (StoreException e) {
                    LOG.warn("store: expiring leases failed: {}", e.getMessage());
                }
            }, next - now + 5, TimeUnit.MILLISECONDS);
        }
    }

    private List<WatchEvent> dropLeaseKeys(List<Long> gone) {
        List<WatchEvent> events = new ArrayList<>();
        var it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().lease != 0 && gone.contains(e.getValue().lease)) {
                Entry o = e.getValue();
                events.add(new WatchEvent(WatchEvent.Type.DELETE, new KeyValue(e.getKey(), o.value, o.create, revision, o.version, o.lease)));
                it.remove();
            }
        }
        return events;
    }

    private void write() {
        List<FileStoreData.LeaseData> ls = new ArrayList<>();
        leases.forEach((id, r) -> ls.add(new FileStoreData.LeaseData(id, r.ttlMillis, r.expiresAtMillis)));
        List<FileStoreData.KeyData> ks = new ArrayList<>(keys.size());
        keys.forEach((k, e) -> ks.add(new FileStoreData.KeyData(k, e.value, e.create, e.mod, e.version, e.lease)));
        Path tmp = dir.resolve(DATA + ".tmp");
        try {
            byte[] bytes = JSON.writeValueAsBytes(new FileStoreData(FileStoreData.FORMAT, revision, ls, ks, changesFrom, List.copyOf(changes)));
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    c.write(b);
                }
                c.force(true);
            }
            Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
            BasicFileAttributes a = Files.readAttributes(data, BasicFileAttributes.class);
            stamp = new Stamp(a.fileKey(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
        } catch (IOException e) {
            // Memory is ahead of the file now: forget it so the next call rereads what is on disk.
            stamp = null;
            throw new StoreException(StoreException.Reason.UNAVAILABLE, "cannot write the file store " + data + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        watchThread.shutdown();
        try {
            inotify.close();
            lockChannel.close();
        } catch (IOException ignored) {
            // closing: nothing to keep
        }
    }
}
