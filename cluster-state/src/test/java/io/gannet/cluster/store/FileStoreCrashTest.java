package io.gannet.cluster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.cluster.store.alloc.PoolAllocator;
import io.gannet.cluster.store.file.FileStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store under kill -9 and with a damaged file. */
class FileStoreCrashTest {
    @TempDir
    Path dir;

    @Test
    void killMinus9AtRandomPointsOfWritesLeavesAReadableStoreWithEveryAcknowledgedClaim() throws Exception {
        Random rnd = new Random(7);
        Map<String, Long> acknowledged = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), ClaimForever.class.getName(), dir.toString(), "r" + round + "-")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            int killAfter = 5 + rnd.nextInt(40);
            String line;
            int n = 0;
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                acknowledged.put(f[0], Long.parseLong(f[1]));
                if (++n == killAfter) {
                    Thread.sleep(rnd.nextInt(15)); // land somewhere inside the next write
                    p.toHandle().destroyForcibly();
                    break;
                }
            }
            p.waitFor();
            while ((line = out.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length == 2) {
                    acknowledged.put(f[0], Long.parseLong(f[1]));
                }
            }
            assertThat(n).isPositive();
            try (FileStore s = FileStore.open(dir)) {
                Map<String, Long> owners = new PoolAllocator(s, "/blocks", 4096).owners();
                int r = round;
                acknowledged.forEach((o, i) -> assertThat(owners).as("round %d", r).containsEntry(o, i));
                assertThat(new java.util.HashSet<>(owners.values())).hasSameSizeAs(owners.values());
            }
        }
    }

    @Test
    void aDamagedFileIsAClearErrorAndIsLeftAlone() throws Exception {
        try (FileStore s = FileStore.open(dir)) {
            s.commit(Txn.begin().put("/a", "1"));
        }
        Path f = dir.resolve("store.json");
        String good = Files.readString(f);
        Files.writeString(f, good.substring(0, good.length() / 2));
        byte[] damaged = Files.readAllBytes(f);
        assertThatThrownBy(() -> FileStore.open(dir))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CORRUPT))
                .hasMessageStartingWith(f + ":1:")
                .hasMessageContaining("the file store is damaged")
                .hasMessageEndingWith("it was left unchanged: restore it from a backup or move it aside");
        assertThat(Files.readAllBytes(f)).isEqualTo(damaged);
        Files.writeString(f, "{\"format\":1,\"revision\":1,\"leases\":[],\"keys\":[{\"key\":\"/a\",\"value\":\"MQ==\",\"createRevision\":5,"
                + "\"modRevision\":5,\"version\":1,\"lease\":0}]}");
        assertThatThrownBy(() -> FileStore.open(dir)).hasMessageContaining("key /a has revisions that do not fit the store's revision 1");
    }

    /** Child: claims pool items for new owners as fast as it can, printing each acknowledged claim. */
    public static final class ClaimForever {
        public static void main(String[] args) {
            try (FileStore s = FileStore.open(Path.of(args[0]))) {
                PoolAllocator a = new PoolAllocator(s, "/blocks", 4096);
                for (int i = 0; ; i++) {
                    String owner = args[1] + i;
                    System.out.println(owner + " " + a.claim(owner, -1, 0).index());
                    System.out.flush();
                }
            }
        }
    }
}
