package io.gannet.bpf.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathFixture;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.SvcKey;
import io.gannet.bpf.maps.SvcValue;
import io.gannet.bpf.maps.TypedMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reconciler against real maps: idempotence, stable backend IDs, prune, re-adoption. */
class ReconcilerTest {
    final Path pinRoot = DatapathFixture.uniquePinRoot();

    @AfterEach
    void cleanup() {
        Datapath.removePins(pinRoot);
    }

    static ServiceSpec web(Backend... b) {
        return new ServiceSpec("default/web:http", Frontend.of("10.96.0.10", 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(b));
    }

    static ServiceSpec dns(Backend... b) {
        return new ServiceSpec("kube-system/dns:dns", Frontend.of("10.96.0.53", 53, Protocol.UDP), true,
                ServiceSpec.Algorithm.MAGLEV, List.of(b));
    }

    Map<SvcKey, SvcValue> svcMap() {
        BpfMap raw = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.SVC.name()).toString(), 12, 12, 0);
        try (raw) {
            return new TypedMap<>(raw, SvcKey.LAYOUT, SvcValue.LAYOUT).snapshot();
        }
    }

    @Test
    void idempotentStableAndPruning() {
        Backend a = Backend.of("10.2.0.1", 8080);
        Backend b = Backend.of("10.2.0.2", 8080);
        Backend c = Backend.of("10.2.0.3", 8080);
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            ApplyResult first = dp.applyServices(List.of(web(a, b, c), dns(a)));
            assertThat(first).isEqualTo(new ApplyResult(2, 0, 0, 4, 0));
            assertThat(dp.applyServices(List.of(web(c, b, a), dns(a))).changed()).as("same set, other order").isFalse();
            assertThat(svcMap()).hasSize(2 + 3 + 1);

            // remove backend b: the other IDs stay, one slot goes
            dp.applyServices(List.of(web(a, c), dns(a)));
            Map<SvcKey, SvcValue> m = svcMap();
            assertThat(m).hasSize(2 + 2 + 1);
            SvcKey master = new SvcKey(io.gannet.bpf.lb.Ipv4.parse("10.96.0.10"), 80, 0, 6);
            assertThat(m.get(master).count()).isEqualTo(2);
            assertThat(List.of(m.get(master.withSlot(1)).backendId(), m.get(master.withSlot(2)).backendId()))
                    .containsExactly(1, 3);

            // remove a service: its master, slots and rev-NAT go; shared backend a stays
            ApplyResult r = dp.applyServices(List.of(web(a, c)));
            assertThat(r.servicesRemoved()).isEqualTo(1);
            assertThat(svcMap()).hasSize(1 + 2);
            assertThat(dp.services()).extracting(ServiceStatus::name).containsExactly("default/web:http");
        }
        // a flow still pinned to removed backend 4 (the UDP one) lives on in conntrack
        BpfMap ctRaw = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.CT.name()).toString(), 16, 16, 0);
        try (ctRaw) {
            new TypedMap<>(ctRaw, io.gannet.bpf.maps.CtKey.LAYOUT, io.gannet.bpf.maps.CtEntry.LAYOUT).put(
                    new io.gannet.bpf.maps.CtKey(1, 2, 3, 4, 17, 0), new io.gannet.bpf.maps.CtEntry(4, 0xffffffffL, 0, 1, 0));
        }
        // the agent restarts: maps are re-adopted, nothing to change for the same desired state
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.restoredFrontends()).isEqualTo(1);
            ServiceStatus s = dp.services().get(0);
            assertThat(s.backends()).containsExactly(a, c);
            assertThat(dp.applyServices(List.of(web(a, c))).changed()).isFalse();
            // new backends get fresh IDs, never a removed one's
            dp.applyServices(List.of(web(a, c, b)));
            Map<SvcKey, SvcValue> m = svcMap();
            SvcKey master = new SvcKey(io.gannet.bpf.lb.Ipv4.parse("10.96.0.10"), 80, 0, 6);
            assertThat(m.get(master.withSlot(2)).backendId()).as("b re-added above every ID conntrack names").isEqualTo(5);
            dp.applyServices(List.of());
            assertThat(svcMap()).isEmpty();
        }
    }

    @Test
    void orphanSlotsArePrunedOnRestore() {
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            dp.applyServices(List.of(web(Backend.of("10.2.0.1", 8080))));
        }
        BpfMap raw = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.SVC.name()).toString(), 12, 12, 0);
        try (raw) {
            TypedMap<SvcKey, SvcValue> svc = new TypedMap<>(raw, SvcKey.LAYOUT, SvcValue.LAYOUT);
            svc.put(new SvcKey(io.gannet.bpf.lb.Ipv4.parse("10.96.0.10"), 80, 7, 6), SvcValue.slot(1));
            svc.put(new SvcKey(io.gannet.bpf.lb.Ipv4.parse("10.96.9.9"), 80, 1, 6), SvcValue.slot(1));
        }
        BpfMap mg = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.MAGLEV.name()).toString(), 4, 4 * io.gannet.bpf.maps.MaglevValue.DEFAULT_M, 0);
        try (mg) {
            mg.update(io.gannet.bpf.maps.Layout.U32.encode(999), new byte[4 * io.gannet.bpf.maps.MaglevValue.DEFAULT_M], BpfMap.BPF_ANY);
        }
        assertThat(svcMap()).hasSize(4);
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.restoredFrontends()).isEqualTo(1);
            assertThat(svcMap()).hasSize(2);
        }
        BpfMap mg2 = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.MAGLEV.name()).toString(), 4, 4 * io.gannet.bpf.maps.MaglevValue.DEFAULT_M, 0);
        try (mg2) {
            assertThat(mg2.nextKey(null)).as("orphan Maglev table pruned").isNull();
        }
    }

    /** An upgrade from a build with another Maglev table size: the pinned dp_maglev4 is replaced and refilled, not refused. */
    @Test
    void aMaglevPinWithAnotherTableSizeIsReplacedAndRefilled() throws Exception {
        io.gannet.testsupport.Requirements.requireBpf();
        Path maps = io.gannet.bpf.PinLayout.mapsDir(pinRoot);
        java.nio.file.Files.createDirectories(maps);
        String pin = maps.resolve(DpMaps.MAGLEV.name()).toString();
        io.gannet.linux.NetworkNamespace.Shell.run("bpftool", "map", "create", pin, "type", "hash", "key", "4", "value",
                Integer.toString(4 * 16381), "entries", "1024", "name", DpMaps.MAGLEV.name(), "flags", "1");
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            dp.applyServices(List.of(dns(Backend.of("10.2.0.1", 53), Backend.of("10.2.0.2", 53))));
        }
        try (BpfMap mg = BpfMap.openPinnedAsIs(pin)) {
            assertThat(mg.valueSize()).isEqualTo(4 * io.gannet.bpf.maps.MaglevValue.DEFAULT_M);
            assertThat(mg.nextKey(null)).as("the dns service's table").isNotNull();
        }
    }

    @Test
    void kernelRefusalMidwayResynchronizesFromTheMaps() {
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            // dp_maglev4 holds 1024 tables: the 1025th Maglev service fails after its slots were written
            java.util.List<ServiceSpec> tooMany = new java.util.ArrayList<>();
            for (int i = 0; i < 1025; i++) {
                tooMany.add(new ServiceSpec("m" + i, new Frontend(io.gannet.bpf.lb.Ipv4.parse("10.97.0.0") + i, 80, Protocol.TCP),
                        false, ServiceSpec.Algorithm.MAGLEV, List.of(Backend.of("10.2.0.1", 8080))));
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dp.applyServices(tooMany))
                    .isInstanceOf(io.gannet.bpf.libbpf.BpfException.class);
            // the next desired state applies cleanly and prunes whatever the failed run left
            ApplyResult r = dp.applyServices(List.of(web(Backend.of("10.2.0.1", 8080))));
            assertThat(r.servicesAdded()).isEqualTo(1);
            assertThat(svcMap()).hasSize(2);
            assertThat(dp.services()).hasSize(1);
            assertThat(dp.applyServices(List.of(web(Backend.of("10.2.0.1", 8080)))).changed()).isFalse();
        }
    }

    int[] pinnedTable(int revNat) {
        BpfMap mg = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.MAGLEV.name()).toString(), 4,
                4 * io.gannet.bpf.maps.MaglevValue.DEFAULT_M, 0);
        try (mg) {
            return new TypedMap<>(mg, io.gannet.bpf.maps.Layout.U32, io.gannet.bpf.maps.MaglevValue.LAYOUT).get(revNat).backendIds();
        }
    }

    /** The L4LB's health-aware table: programmed entry for entry, kept across a restart, refused when it names a stranger. */
    @Test
    void aMaglevTableTheCallerComputedIsProgrammedAsItIs() {
        Backend a = Backend.of("10.2.0.1", 53);
        Backend b = Backend.of("10.2.0.2", 53);
        Backend down = Backend.of("10.2.0.3", 53); // in the caller's table's list, named by no entry, not a backend of the spec
        int m = io.gannet.bpf.maps.MaglevValue.DEFAULT_M;
        int[] entries = new int[m];
        for (int i = 0; i < m; i++) {
            entries[i] = i % 3 == 0 ? 1 : 2; // a third to a, the rest to b: not what Maglev.table gives
        }
        MaglevTable table = new MaglevTable(List.of(a, b, down), entries);
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.applyServices(List.of(dns(a, b).withMaglevTable(table))).servicesAdded()).isEqualTo(1);
            int rn = dp.services().get(0).revNatIndex();
            int idA = dp.servicesFeature().backendId(a, Protocol.UDP);
            int idB = dp.servicesFeature().backendId(b, Protocol.UDP);
            int[] pinned = pinnedTable(rn);
            assertThat(pinned).hasSize(m);
            for (int i = 0; i < m; i++) {
                assertThat(pinned[i]).as("entry %d", i).isEqualTo(i % 3 == 0 ? idA : idB);
            }
            assertThat(dp.applyServices(List.of(dns(a, b).withMaglevTable(new MaglevTable(List.of(a, b, down), entries))))
                    .changed()).as("an equal table, another instance").isFalse();

            // another table: rewritten; no table: Maglev.table over the backends again
            entries[0] = 2;
            assertThat(dp.applyServices(List.of(dns(a, b).withMaglevTable(new MaglevTable(List.of(a, b, down), entries))))
                    .servicesUpdated()).isEqualTo(1);
            assertThat(pinnedTable(rn)[0]).isEqualTo(idB);
            assertThat(dp.applyServices(List.of(dns(a, b))).servicesUpdated()).isEqualTo(1);
            assertThat(pinnedTable(rn)).isEqualTo(Maglev.table(List.of(a, b), new int[] {idA, idB}, m));
            dp.applyServices(List.of(dns(a, b).withMaglevTable(new MaglevTable(List.of(a, b, down), entries))));

            // refused before anything is written: an entry naming a backend the service does not have, or the wrong size
            int[] strange = entries.clone();
            strange[5] = 3;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dp.applyServices(
                    List.of(dns(a, b).withMaglevTable(new MaglevTable(List.of(a, b, down), strange)))))
                    .hasMessageContaining("names 10.2.0.3:53, which is not one of its backends");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dp.applyServices(
                    List.of(dns(a, b).withMaglevTable(new MaglevTable(List.of(a, b), new int[251])))))
                    .hasMessageContaining("a Maglev table of 251 entries, but this datapath's tables hold " + m);
            assertThat(pinnedTable(rn)[0]).isEqualTo(idB);
            assertThat(pinnedTable(rn)[5]).isEqualTo(idB);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> web(a).withMaglevTable(table))
                    .hasMessageContaining("needs the MAGLEV algorithm");
        }
        // the agent restarts: the pinned table is the one the caller gives again, nothing to write
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.restoredFrontends()).isEqualTo(1);
            assertThat(dp.applyServices(List.of(dns(a, b).withMaglevTable(new MaglevTable(List.of(a, b, down), entries))))
                    .changed()).as("restored table equals the caller's").isFalse();
        }
    }

    @Test
    void opensWithTheObjectsShippedOnTheClasspath() {
        io.gannet.testsupport.Requirements.requireBpf();
        // objectDir null: the agent's default, bpf_lxc.o / bpf_host.o extracted from the jar's /bpf/
        try (Datapath dp = Datapath.open(io.gannet.bpf.DatapathOptions.defaults().withPinRoot(pinRoot))) {
            assertThat(dp.applyServices(List.of(web(Backend.of("10.2.0.1", 8080)))).servicesAdded()).isEqualTo(1);
            assertThat(java.nio.file.Files.exists(io.gannet.bpf.PinLayout.progsDir(pinRoot).resolve(Datapath.FROM_POD))).isTrue();
            assertThat(java.nio.file.Files.exists(io.gannet.bpf.PinLayout.progsDir(pinRoot).resolve(Datapath.FROM_HOST))).isTrue();
            assertThat(java.nio.file.Files.exists(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(DpMaps.CT.name()))).isTrue();
        }
    }
}
