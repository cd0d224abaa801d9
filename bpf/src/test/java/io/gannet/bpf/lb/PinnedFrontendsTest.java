package io.gannet.bpf.lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an agent can learn of an earlier run's pins: the frontends they hold, read before the
 * datapath is opened (a starting agent decides from them whether it restarts gracefully), and,
 * once re-adopted, how the earlier run's Maglev table splits a frontend's entries among its backends.
 */
class PinnedFrontendsTest {
    final Path pinRoot = DatapathFixture.uniquePinRoot();

    static final Frontend VIP4 = Frontend.of("203.0.113.10", 80, Protocol.TCP);
    static final Frontend VIP6 = Frontend.of("2001:db8:113::10", 80, Protocol.TCP);
    static final Backend A = Backend.of("10.97.0.21", 8080);
    static final Backend B = Backend.of("10.97.0.22", 8080);

    @AfterEach
    void cleanup() {
        Datapath.removePins(pinRoot);
    }

    @Test
    void theFrontendsOfTheEarlierRunAreReadWithoutOpeningTheDatapathAndItsMaglevEntriesAfter() {
        assertThat(Datapath.pinnedFrontends(pinRoot)).as("nothing pinned: a first start").isEmpty();
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(Datapath.pinnedFrontends(pinRoot)).as("maps pinned, no frontend yet").isEmpty();
            dp.applyServices(List.of(
                    new ServiceSpec("shop/web:http", VIP4, true, ServiceSpec.Algorithm.MAGLEV, List.of(A, B)),
                    new ServiceSpec("shop/web6:http", VIP6, true, ServiceSpec.Algorithm.MAGLEV, List.of(Backend.of("fd00:97::21", 8080)))));
        }
        assertThat(Datapath.pinnedFrontends(pinRoot)).containsExactlyInAnyOrder(VIP4, VIP6);

        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.restoredFrontends()).isEqualTo(2);
            Map<Backend, Integer> entries = dp.servicesFeature().maglevEntries(VIP4);
            assertThat(entries.keySet()).containsExactly(A, B);
            assertThat(entries.values()).allMatch(n -> n > 0);
            assertThat(entries.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(dp.maglevTableSize());
            assertThat(dp.servicesFeature().maglevEntries(Frontend.of("203.0.113.99", 80, Protocol.TCP))).isEmpty();
        }
    }
}
