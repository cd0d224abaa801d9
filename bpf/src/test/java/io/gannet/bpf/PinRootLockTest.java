package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.libbpf.BpfException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two daemons cannot share a pin root; one daemon may take its own lock twice. */
class PinRootLockTest {
    @TempDir
    Path dir;

    @Test
    void anotherProcessHoldingTheRootIsRefusedAndTheLockDiesWithIt() throws Exception {
        Path root = dir.resolve("pins");
        java.nio.file.Files.createDirectories(root);
        // flock(1) from util-linux holds an exclusive lock on the directory, as another daemon would.
        Process other = new ProcessBuilder("flock", "--no-fork", "-x", root.toString(), "sleep", "30").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            BpfException refused = null;
            while (System.nanoTime() < deadline) {
                try (PinRootLock l = PinRootLock.acquire(root)) {
                    Thread.sleep(50); // not held yet by flock(1)
                } catch (BpfException e) {
                    refused = e;
                    break;
                }
            }
            assertThat(refused).as("lock held by another process").isNotNull();
            assertThat(refused.kind()).isEqualTo(BpfException.Kind.BUSY);
            assertThat(refused.getMessage()).contains("another gannet daemon").contains(root.toString());
        } finally {
            other.destroy();
            other.waitFor(5, TimeUnit.SECONDS);
        }
        try (PinRootLock l = PinRootLock.acquire(root)) {
            assertThat(l.root()).isEqualTo(root.toAbsolutePath());
        }
    }

    @Test
    void oneProcessMayHoldItTwice() {
        Path root = dir.resolve("pins2");
        try (PinRootLock a = PinRootLock.acquire(root); PinRootLock b = PinRootLock.acquire(root)) {
            assertThat(a.root()).isEqualTo(b.root());
        }
        assertThatThrownBy(() -> {
            try (PinRootLock a = PinRootLock.acquire(root)) {
                Process p = new ProcessBuilder("flock", "-x", "-n", root.toString(), "true").start();
                p.waitFor(5, TimeUnit.SECONDS);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("held");
                }
            }
        }).hasMessage("held");
    }
}
