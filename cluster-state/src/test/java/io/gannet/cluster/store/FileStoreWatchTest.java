package io.gannet.cluster.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.cluster.store.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file-store watch in another process (another store instance on the same directory) sees
 * every revision, in order, as an etcd watch does: writes that land between two reads of the
 * file are replayed from the file's change log, not folded into a difference.
 */
class FileStoreWatchTest {
    @TempDir
    Path dir;

    @Test
    void anotherInstanceSeesEveryRevisionOfABurstInOrder() throws Exception {
        try (FileStore writer = FileStore.open(dir); FileStore watcher = FileStore.open(dir)) {
            writer.commit(Txn.begin().put("/w/seed", "0"));
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            AutoCloseable w = watcher.watch("/w/", new WatchListener() {
                @Override
                public void onResync(List<KeyValue> current, long revision) {
                    current.forEach(kv -> seen.add("resync " + kv.key()));
                }

                @Override
                public void onEvents(List<WatchEvent> events) {
                    events.forEach(e -> seen.add(e.type() + " " + e.kv().key() + (e.type() == WatchEvent.Type.PUT ? "=" + e.kv().text() : "")));
                }
            });
            StoreContractTest.waitFor(() -> seen.size() == 1, 5000);
            List<String> expected = new ArrayList<>(List.of("resync /w/seed"));
            for (int i = 0; i < 200; i++) { // far faster than inotify wakes the watcher: reads coalesce
                writer.commit(Txn.begin().put("/w/k", "v" + i));
                expected.add("PUT /w/k=v" + i);
                if (i % 10 == 9) {
                    writer.commit(Txn.begin().delete("/w/k"));
                    expected.add("DELETE /w/k");
                }
            }
            StoreContractTest.waitFor(() -> seen.size() >= expected.size(), 10_000);
            Thread.sleep(100);
            assertThat(seen).containsExactlyElementsOf(expected);
            w.close();
        }
    }

    @Test
    void aFileWrittenBeforeTheChangeLogOpensAndIsWatched() throws Exception {
        Files.writeString(dir.resolve("store.json"), "{\"format\":1,\"revision\":5,\"leases\":[],\"keys\":[{\"key\":\"/a\",\"value\":\"MQ==\","
                + "\"createRevision\":5,\"modRevision\":5,\"version\":1,\"lease\":0}]}");
        try (FileStore writer = FileStore.open(dir); FileStore watcher = FileStore.open(dir)) {
            assertThat(watcher.get("/a")).map(KeyValue::text).contains("1");
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            watcher.watch("/", new WatchListener() {
                @Override
                public void onResync(List<KeyValue> current, long revision) {
                    seen.add("resync@" + revision);
                }

                @Override
                public void onEvents(List<WatchEvent> events) {
                    events.forEach(e -> seen.add(e.type() + " " + e.kv().key() + "@" + e.kv().modRevision()));
                }
            });
            writer.commit(Txn.begin().put("/b", "2"));
            writer.commit(Txn.begin().delete("/a"));
            StoreContractTest.waitFor(() -> seen.size() == 3, 5000);
            assertThat(seen).containsExactly("resync@5", "PUT /b@6", "DELETE /a@7");
        }
    }
}
