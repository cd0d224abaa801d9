package io.gannet.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.libbpf.BpfObject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedDatapath#fresh()} gives what {@link Datapath#open} on an empty pin root gives:
 * a write into every map of every object (each one checked to have changed it), and a
 * Service applied through the Datapath, then a reset, leave every map's contents, the pin
 * tree and the Datapath's view equal to a freshly opened Datapath's. A map the reset skipped
 * would keep the written entry and fail the comparison. The same after an agent restart on
 * the pins, whose open {@link SharedDatapath#adopt} makes the loaded one.
 */
class SharedDatapathTest {

    @Test
    void afterResetEveryMapEqualsAFreshOpen() {
        assertResetEqualsAFreshOpen(false);
    }

    /** A test's agent restart ({@link DatapathPerTest#reopen()}) on the class's pins: its open is adopted and reset as well. */
    @Test
    void afterARestartOnThePinsTheAdoptedOpenResetsToAFreshOpen() {
        assertResetEqualsAFreshOpen(true);
    }

    private static void assertResetEqualsAFreshOpen(boolean restart) {
        Path freshRoot = DatapathFixture.uniquePinRoot();
        try (SharedDatapath shared = SharedDatapath.load();
             Datapath fresh = Datapath.open(DatapathFixture.options(freshRoot))) {
            Map<String, List<String>> want = SharedDatapath.contents(fresh);
            Datapath first = shared.fresh();
            first.applyServices(List.of(new ServiceSpec("test/svc", io.gannet.bpf.lb.Frontend.of("10.96.0.1", 80, Protocol.TCP),
                    false, ServiceSpec.Algorithm.MAGLEV, List.of(Backend.of("10.1.0.1", 8080)))));
            if (restart) {
                first.close();
                Datapath restarted = Datapath.open(DatapathFixture.options(shared.pinRoot));
                assertThat(restarted.restoredFrontends()).as("the restart re-adopted the pinned maps").isEqualTo(1);
                shared.adopt(restarted);
                first = restarted.sharingObjects();
            }
            for (BpfObject o : shared.loaded().objects()) {
                for (BpfMap m : o.maps()) {
                    dirty(m);
                }
            }
            first.program(Datapath.FROM_POD).testRun(Packets.build(Packets.tcp("10.0.0.9", 40000, "10.96.0.1", 80, Packets.TCP_SYN)), 1);
            shared.loaded().program(Datapath.FROM_POD).pin(PinLayout.linksDir(shared.pinRoot).resolve("left-by-a-test").toString());
            first.close();

            Map<String, List<String>> dirty = SharedDatapath.contents(shared.loaded());
            for (Map.Entry<String, List<String>> e : want.entrySet()) {
                if (!e.getKey().endsWith(".rodata.maglev")) { // frozen at load: nothing can write it
                    assertThat(dirty.get(e.getKey())).as("written into " + e.getKey()).isNotEqualTo(e.getValue());
                }
            }

            Datapath next = shared.fresh();
            Map<String, List<String>> got = SharedDatapath.contents(shared.loaded());
            assertThat(got.keySet()).isEqualTo(want.keySet());
            for (Map.Entry<String, List<String>> e : want.entrySet()) {
                assertThat(got.get(e.getKey())).as("after the reset: " + e.getKey()).isEqualTo(e.getValue());
            }
            assertThat(SharedDatapath.pins(shared.pinRoot)).isEqualTo(SharedDatapath.pins(freshRoot));
            assertThat(next.services()).isEqualTo(fresh.services()).isEmpty();
            assertThat(next.metrics()).isEqualTo(fresh.metrics());
            assertThat(next.restoredFrontends()).isZero();
            next.close();
        } finally {
            Datapath.removePins(freshRoot);
        }
    }

    /** One entry written into {@code m}, whatever its type; frozen .rodata is left alone. */
    private static void dirty(BpfMap m) {
        BpfMap.Info info = m.info();
        byte[] key = new byte[m.keySize()];
        Arrays.fill(key, (byte) 0x5a);
        byte[] value = new byte[m.valueSize()];
        Arrays.fill(value, (byte) 0x33);
        switch (info.type()) {
            case BpfMap.Info.ARRAY -> {
                if (!info.readOnlyToPrograms()) {
                    m.update(SharedDatapath.u32(m.maxEntries() - 1), value, BpfMap.BPF_ANY);
                }
            }
            case BpfMap.Info.PERCPU_ARRAY, BpfMap.Info.PERCPU_HASH, BpfMap.Info.LRU_PERCPU_HASH -> {
                byte[] all = new byte[SharedDatapath.perCpuSize(m)];
                Arrays.fill(all, (byte) 0x33);
                m.updatePerCpu(info.type() == BpfMap.Info.PERCPU_ARRAY ? SharedDatapath.u32(m.maxEntries() - 1) : key, all,
                        BpfMap.BPF_ANY);
            }
            case BpfMap.Info.LPM_TRIE -> {
                key[0] = 8; // struct bpf_lpm_trie_key's prefixlen (host order), then the address bytes
                key[1] = 0;
                key[2] = 0;
                key[3] = 0;
                m.update(key, value, BpfMap.BPF_ANY);
            }
            case BpfMap.Info.QUEUE -> m.push(value);
            default -> m.update(key, value, BpfMap.BPF_ANY);
        }
    }
}
