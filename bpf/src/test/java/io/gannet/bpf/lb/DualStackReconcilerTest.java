package io.gannet.bpf.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathFixture;
import io.gannet.bpf.libbpf.BpfMap;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.TypedMap;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A dual-stack Service is two frontends, one per clusterIP, each with the backends of its own
 * family's EndpointSlices: the reconciler writes the IPv4 one into dp_svc4 and the IPv6 one into
 * dp_svc6, and a change of one family's backends never rewrites the other's entries.
 */
class DualStackReconcilerTest {
    final Path pinRoot = DatapathFixture.uniquePinRoot();

    static final Backend A4 = Backend.of("10.244.2.7", 8080);
    static final Backend B4 = Backend.of("10.244.3.7", 8080);
    static final Backend A6 = Backend.of("fd00:10:244:2::7", 8080);
    static final Backend B6 = Backend.of("fd00:10:244:3::7", 8080);

    @AfterEach
    void cleanup() {
        Datapath.removePins(pinRoot);
    }

    static ServiceSpec web4(Backend... b) {
        return new ServiceSpec("default/web:http", Frontend.of("10.96.0.10", 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(b));
    }

    static ServiceSpec web6(Backend... b) {
        return new ServiceSpec("default/web:http", Frontend.of("fd00:96::a", 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(b));
    }

    <K, V> Map<K, V> pinned(DpMaps.Spec<K, V> spec) {
        BpfMap raw = BpfMap.openPinned(io.gannet.bpf.PinLayout.mapsDir(pinRoot).resolve(spec.name()).toString(),
                spec.key().size(), spec.value().size(), 0);
        try (raw) {
            return new TypedMap<>(raw, spec.key(), spec.value()).snapshot();
        }
    }

    @Test
    void eachFamilyIsProgrammedIntoItsOwnMapsAndNeverTouchesTheOther() {
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.applyServices(List.of(web4(A4, B4), web6(A6, B6)))).isEqualTo(new ApplyResult(2, 0, 0, 4, 0));
            var svc4 = pinned(DpMaps.SVC);
            var svc6 = pinned(DpMaps.SVC6);
            assertThat(svc4).hasSize(3);
            assertThat(svc6).hasSize(3);
            assertThat(pinned(DpMaps.BACKENDS)).hasSize(2);
            assertThat(pinned(DpMaps.BACKENDS6).values()).extracting(v -> new Ipv6(v.addrHi(), v.addrLo()).format())
                    .containsExactlyInAnyOrder("fd00:10:244:2::7", "fd00:10:244:3::7");
            // one ID space, one rev-NAT index space: nothing is named twice
            assertThat(pinned(DpMaps.BACKENDS).keySet()).doesNotContainAnyElementsOf(pinned(DpMaps.BACKENDS6).keySet());
            assertThat(pinned(DpMaps.REVNAT).keySet()).doesNotContainAnyElementsOf(pinned(DpMaps.REVNAT6).keySet());
            assertThat(pinned(DpMaps.REVNAT6).values()).extracting(v -> new Ipv6(v.addrHi(), v.addrLo()).format())
                    .containsExactly("fd00:96::a");

            // the IPv6 EndpointSlice is deleted: the IPv6 frontend has no backends, the IPv4 one is not rewritten
            ApplyResult r = dp.applyServices(List.of(web4(A4, B4), web6()));
            assertThat(r).isEqualTo(new ApplyResult(0, 1, 0, 0, 2));
            assertThat(pinned(DpMaps.SVC)).isEqualTo(svc4);
            assertThat(pinned(DpMaps.SVC6)).hasSize(1);
            assertThat(pinned(DpMaps.BACKENDS6)).isEmpty();
            assertThat(dp.services()).extracting(ServiceStatus::backendCount).containsExactly(2, 0);

            // back, then the IPv4 slice goes: the IPv6 frontend keeps its backends
            dp.applyServices(List.of(web4(A4, B4), web6(A6, B6)));
            svc6 = pinned(DpMaps.SVC6);
            assertThat(dp.applyServices(List.of(web4(), web6(A6, B6)))).isEqualTo(new ApplyResult(0, 1, 0, 0, 2));
            assertThat(pinned(DpMaps.SVC6)).isEqualTo(svc6);
            assertThat(pinned(DpMaps.BACKENDS6)).hasSize(2);
            assertThat(dp.services()).extracting(s -> s.frontend() + " " + s.backends())
                    .containsExactly("10.96.0.10:80/TCP []", "[fd00:96::a]:80/TCP [[fd00:10:244:2::7]:8080, [fd00:10:244:3::7]:8080]");
            dp.applyServices(List.of(web4(A4), web6(A6, B6)));
        }
        // an agent restart re-adopts both families from the pins: the same desired state changes nothing
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            assertThat(dp.restoredFrontends()).isEqualTo(2);
            assertThat(dp.services()).extracting(ServiceStatus::backends).containsExactly(List.of(A4), List.of(A6, B6));
            assertThat(dp.applyServices(List.of(web4(A4), web6(A6, B6))).changed()).isFalse();
            // the IPv6 clusterIP goes (single-stack again): only the IPv6 maps change
            var svc4 = pinned(DpMaps.SVC);
            assertThat(dp.applyServices(List.of(web4(A4)))).isEqualTo(new ApplyResult(0, 0, 1, 0, 2));
            assertThat(pinned(DpMaps.SVC)).isEqualTo(svc4);
            assertThat(pinned(DpMaps.SVC6)).isEmpty();
            assertThat(pinned(DpMaps.REVNAT6)).isEmpty();
            assertThat(pinned(DpMaps.BACKENDS6)).isEmpty();
            assertThat(pinned(DpMaps.REVNAT)).hasSize(1);
        }
    }

    @Test
    void aNewBackendIdIsAboveEveryIdAnIpv6FlowStillNames() {
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            dp.applyServices(List.of(web6(A6, B6)));
            int idB6 = dp.servicesFeature().backendId(B6, Protocol.TCP);
            dp.conntrack6().put(new io.gannet.bpf.maps.CtKey6(1, 2, 3, 4, 40000, 80, 6, 0),
                    new io.gannet.bpf.maps.CtEntry(idB6, 0xffffffffL, 0, 1, 0));
            dp.applyServices(List.of(web6(A6)));
        }
        try (Datapath dp = Datapath.open(DatapathFixture.options(pinRoot))) {
            dp.applyServices(List.of(web6(A6), web4(A4)));
            assertThat(dp.servicesFeature().backendId(A4, Protocol.TCP)).as("above the IPv6 flow's removed backend")
                    .isGreaterThan(dp.servicesFeature().backendId(A6, Protocol.TCP) + 1);
        }
    }

    @Test
    void anIpv6FrontendTakesOnlyWhatItsDatapathDoes() {
        assertThatThrownBy(() -> web6(A4)).hasMessageContaining("not of frontend [fd00:96::a]:80/TCP's family");
        assertThatThrownBy(() -> web4(A6)).hasMessageContaining("family");
        // external IPv6 frontends are taken (lib/nodeport6.h), with IPv6 source ranges only
        assertThat(new ServiceSpec("x", Frontend.of("fd00:96::a", 80, Protocol.TCP), true,
                ServiceSpec.Algorithm.RANDOM, List.of(A6)).external()).isTrue();
        assertThatThrownBy(() -> new ServiceSpec("x", Frontend.of("fd00:96::a", 80, Protocol.TCP), true,
                ServiceSpec.Algorithm.RANDOM, List.of(A6), 0, java.util.Map.of(),
                new ServiceSpec.Access(false, false, List.of(io.gannet.bpf.lb.SourceRange.parse("10.0.0.0/8")))))
                .hasMessageContaining("source range 10.0.0.0/8 is not of frontend [fd00:96::a]:80/TCP's family");
        assertThat(io.gannet.bpf.lb.SourceRange.parse("2001:db8:1:2:3::9/50").toString()).isEqualTo("2001:db8:1::/50");
        assertThat(io.gannet.bpf.lb.SourceRange.parse("2001:db8::1").prefixLength()).isEqualTo(128);
        assertThat(io.gannet.bpf.lb.SourceRange.parse("2001:db8:1:2:3:4:5:f006/116").toString()).isEqualTo("2001:db8:1:2:3:4:5:f000/116");
        assertThatThrownBy(() -> new ServiceSpec("x", Frontend.of("fd00:96::a", 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(A6), 0, java.util.Map.of(), ServiceSpec.Access.snatTo(false, A6.addr6())))
                .hasMessageContaining("external");
        // an IPv6 node port with externalTrafficPolicy Cluster leaves from its own address
        ServiceSpec np = new ServiceSpec("x", Frontend.of("fd00:9::1", 30080, Protocol.TCP), true,
                ServiceSpec.Algorithm.RANDOM, List.of(A6), 0, java.util.Map.of(), new ServiceSpec.Access(true, true, List.of()));
        assertThat(np.access().snatSource6()).isEqualTo(Ipv6.parse("fd00:9::1"));
        assertThat(new ServiceSpec("x", Frontend.of("fd00:96::a", 80, Protocol.TCP), false,
                ServiceSpec.Algorithm.RANDOM, List.of(A6), 10800).affinityTimeoutSeconds()).as("sessionAffinity on IPv6").isEqualTo(10800);
        assertThat(Frontend.of("FD00:96:0:0::A", 80, Protocol.UDP).toString()).isEqualTo("[fd00:96::a]:80/UDP");
        assertThat(Ipv6.parse("fd00:0:0:1:0:0:0:1").format()).isEqualTo("fd00:0:0:1::1");
        assertThat(Ipv6.parse("::").format()).isEqualTo("::");
        assertThat(Ipv6.parse("1:0:2:0:3:0:4:0").format()).isEqualTo("1:0:2:0:3:0:4:0");
    }

    @Test
    void aSnatSourceIsOfItsFrontendsFamilyAndOnlyForExternalFrontendsThatAreNotIpv4NodePorts() {
        int node = Ipv4.parse("10.205.0.1");
        ServiceSpec ext = new ServiceSpec("x", Frontend.of("192.0.2.5", 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(A4), 0, java.util.Map.of(), ServiceSpec.Access.snatTo4(node, List.of()));
        assertThat(ext.access().snat()).isTrue();
        assertThat(ext.access().snatSource4()).isEqualTo(node);
        assertThatThrownBy(() -> new ServiceSpec("x", Frontend.of("192.0.2.5", 80, Protocol.TCP), false, ServiceSpec.Algorithm.RANDOM,
                List.of(A4), 0, java.util.Map.of(), ServiceSpec.Access.snatTo4(node, List.of()))).hasMessageContaining("external");
        assertThatThrownBy(() -> new ServiceSpec("x", Frontend.of("fd00:96::a", 80, Protocol.TCP), true, ServiceSpec.Algorithm.RANDOM,
                List.of(A6), 0, java.util.Map.of(), ServiceSpec.Access.snatTo4(node, List.of()))).hasMessageContaining("IPv6 SNAT source");
        assertThatThrownBy(() -> new ServiceSpec.Access(true, true, List.of(), null, node)).hasMessageContaining("its own address");
        assertThatThrownBy(() -> new ServiceSpec.Access(false, false, List.of(), null, node)).hasMessageContaining("without SNAT");
        assertThatThrownBy(() -> new ServiceSpec.Access(false, true, List.of())).hasMessageContaining("node ports");
        assertThatThrownBy(() -> ServiceSpec.Access.snatTo4(0, List.of())).hasMessageContaining("0.0.0.0");
    }
}
