package io.gannet.cluster.k8s;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a {@link ServiceDirectory} (java.nio WatchService) and hands every reload's
 * {@link ServiceDirectory.Result} to {@code sink} (which maps it to a datapath and applies
 * it) and each bad file to {@code errors}. Changes arriving within {@code settleMillis} are
 * coalesced into one reload, so an editor's write-rename sequence applies once. When the
 * sink throws (the kernel refused a map write), the same desired state is retried with
 * exponential backoff (200 ms doubling to 30 s) until it applies or the files change.
 *
 * <p>One daemon thread, "gannet-service-watch", owns the directory state; {@code sink}
 * runs on it.
 */
public final class ServiceDirectoryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceDirectoryWatcher.class);
    static final long FIRST_BACKOFF_MILLIS = 200;
    static final long MAX_BACKOFF_MILLIS = 30_000;

    private final ServiceDirectory directory;
    private final Consumer<ServiceDirectory.Result> sink;
    private final Consumer<ServiceDirectory.FileError> errors;
    private final long settleMillis;
    private final WatchService watch;
    private final Thread thread;

    public ServiceDirectoryWatcher(ServiceDirectory directory, Consumer<ServiceDirectory.Result> sink,
            Consumer<ServiceDirectory.FileError> errors, long settleMillis) throws IOException {
        this.directory = directory;
        this.sink = sink;
        this.errors = errors;
        this.settleMillis = settleMillis;
        this.watch = directory.dir().getFileSystem().newWatchService();
        directory.dir().register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = Thread.ofPlatform().daemon().name("gannet-service-watch").unstarted(this::loop);
    }

    /** Loads once, applies, then follows changes. */
    public ServiceDirectoryWatcher start() {
        thread.start();
        return this;
    }

    /** Returns true when the sink accepted the result. */
    private boolean reloadAndApply() {
        ServiceDirectory.Result r = directory.reload();
        for (ServiceDirectory.FileError e : r.errors()) {
            LOG.warn("ignoring {} (keeping its last good content)", e);
            errors.accept(e);
        }
        try {
            sink.accept(r);
            return true;
        } catch (RuntimeException e) {
            LOG.error("applying {} services failed; retrying with backoff", r.services().size(), e);
            return false;
        }
    }

    private void loop() {
        long backoff = 0;
        try {
            boolean ok = reloadAndApply();
            while (true) {
                backoff = ok ? 0 : Math.min(MAX_BACKOFF_MILLIS, backoff == 0 ? FIRST_BACKOFF_MILLIS : backoff * 2);
                // after a failure, retry when the backoff expires even without a file change
                WatchKey key = backoff == 0 ? watch.take() : watch.poll(backoff, TimeUnit.MILLISECONDS);
                if (key == null) {
                    ok = reloadAndApply();
                    continue;
                }
                key.pollEvents();
                key.reset();
                // coalesce a burst of events
                WatchKey more;
                while ((more = watch.poll(settleMillis, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                ok = reloadAndApply();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } catch (IOException e) {
            LOG.debug("closing watch service", e);
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
