package io.gannet.netpolicy.enforce;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a {@link PolicyDirectory}: loads it once at start, then after every change (events
 * within {@code settleMillis} coalesce, so an editor's write-and-rename applies once) hands the
 * new {@link PolicyDirectory.Result} to {@code sink}. A sink that throws is retried on the next
 * change or after 5 s. One daemon thread, "gannet-policy-watch", owns the directory.
 */
public final class PolicyDirectoryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyDirectoryWatcher.class);
    private static final long RETRY_MILLIS = 5000;

    private final PolicyDirectory directory;
    private final Consumer<PolicyDirectory.Result> sink;
    private final long settleMillis;
    private final WatchService watch;
    private final Thread thread;
    private volatile boolean closed;

    public PolicyDirectoryWatcher(PolicyDirectory directory, Consumer<PolicyDirectory.Result> sink, long settleMillis)
            throws IOException {
        this.directory = directory;
        this.sink = sink;
        this.settleMillis = settleMillis;
        Files.createDirectories(directory.dir());
        this.watch = directory.dir().getFileSystem().newWatchService();
        directory.dir().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = Thread.ofPlatform().daemon().name("gannet-policy-watch").unstarted(this::loop);
    }

    /** Applies the directory as it is now (on the caller's thread), then follows it. */
    public PolicyDirectoryWatcher start() {
        apply();
        thread.start();
        return this;
    }

    private boolean apply() {
        try {
            sink.accept(directory.reload());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("applying {} failed, retrying: {}", directory.dir(), e.toString());
            return false;
        }
    }

    private void loop() {
        boolean pending = false;
        while (!closed) {
            try {
                WatchKey key = watch.poll(pending ? RETRY_MILLIS : 60_000, TimeUnit.MILLISECONDS);
                if (key != null) {
                    Thread.sleep(settleMillis);
                    key.pollEvents();
                    key.reset();
                    WatchKey more;
                    while ((more = watch.poll()) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    pending = !apply();
                } else if (pending) {
                    pending = !apply();
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing the policy watch: {}", e.toString());
        }
        thread.interrupt();
    }
}
