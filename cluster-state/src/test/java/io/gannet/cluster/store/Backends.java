package io.gannet.cluster.store;

import io.gannet.cluster.store.etcd.EtcdStore;
import io.gannet.cluster.store.file.FileStore;
import io.gannet.testsupport.EtcdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two store backends every store test runs against: a file store in a temporary directory
 * and a real etcd server (one per test class, on free loopback ports, stopped by PID).
 * Each test gets its own key prefix so tests on the shared etcd never see each other's keys.
 */
final class Backends implements AutoCloseable {
    static final String FILE = "file";
    static final String ETCD = "etcd";
    private static final AtomicInteger SEQ = new AtomicInteger();

    private EtcdServer etcd;
    final String prefix = "/gannet-test/" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet() + "/";
    private Path fileDir;

    /** Where a store of {@code backend} lives, as the 5-process test passes it to children. */
    String location(String backend) throws IOException {
        if (backend.equals(ETCD)) {
            if (etcd == null) {
                etcd = EtcdServer.startNew();
            }
            return etcd.url();
        }
        if (fileDir == null) {
            fileDir = Files.createTempDirectory("gannet-filestore-");
        }
        return fileDir.toString();
    }

    ClusterStore open(String backend) throws IOException {
        return open(backend, location(backend));
    }

    static ClusterStore open(String backend, String location) {
        return open(backend, location, Duration.ofSeconds(5));
    }

    static ClusterStore open(String backend, String location, Duration timeout) {
        return backend.equals(ETCD) ? EtcdStore.connect(location, timeout) : FileStore.open(Path.of(location));
    }

    EtcdServer etcd() {
        return etcd;
    }

    Path fileDir() {
        return fileDir;
    }

    @Override
    public void close() {
        if (etcd != null) {
            etcd.close();
        }
    }
}
