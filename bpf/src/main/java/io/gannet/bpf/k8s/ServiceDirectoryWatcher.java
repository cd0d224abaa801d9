package io.gannet.bpf.k8s;

import io.gannet.bpf.lb.ServiceSpec;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a {@link ServiceDirectory} (java.nio WatchService) and hands every reload's
 * desired services to {@code sink} (typically {@code datapath::applyServices}) and bad
 * files to {@code errors}. Changes arriving within {@code settleMillis} are coalesced
 * into one reload, so an editor's write-rename sequence applies once.
 *
 * <p>One daemon thread, "gannet-service-watch", owns the directory state; {@code sink}
 * runs on it.
 */
public final class ServiceDirectoryWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceDirectoryWatcher.class);

    private final ServiceDirectory directory;
    private final Consumer<List<ServiceSpec>> sink;
    private final Consumer<ServiceDirectory.FileError> errors;
    private final long settleMillis;
    private final WatchService watch;
    private final Thread thread;

    public ServiceDirectoryWatcher(ServiceDirectory directory, Consumer<List<ServiceSpec>> sink,
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

    private void reloadAndApply() {
        ServiceDirectory.Result r = directory.reload();
        for (ServiceDirectory.FileError e : r.errors()) {
            LOG.warn("ignoring {}: {} (keeping its last good content)", e.file(), e.reason());
            errors.accept(e);
        }
        try {
            sink.accept(r.services());
        } catch (RuntimeException e) {
            LOG.error("applying {} services failed; will retry on the next change", r.services().size(), e);
        }
    }

    private void loop() {
        reloadAndApply();
        try {
            while (true) {
                WatchKey key = watch.take();
                key.pollEvents();
                key.reset();
                // coalesce a burst of events
                WatchKey more;
                while ((more = watch.poll(settleMillis, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                reloadAndApply();
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
