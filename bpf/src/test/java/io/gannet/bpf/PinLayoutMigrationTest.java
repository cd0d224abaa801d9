package io.gannet.bpf;

import static io.gannet.bpf.Packets.TCP_ACK;
import static io.gannet.bpf.Packets.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Ipv4;
import io.gannet.bpf.lb.Protocol;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.ServicesFeature;
import io.gannet.bpf.libbpf.BpfObject;
import io.gannet.bpf.libbpf.Netns;
import io.gannet.bpf.libbpf.Tc;
import io.gannet.bpf.maps.DpMaps;
import io.gannet.bpf.maps.EndpointValue;
import io.gannet.bpf.maps.TypedMap;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Upgrading from the v1 pin layout (maps at the pin root) migrates instead of refusing:
 * services, conntrack and endpoints are carried into the v2 maps, established flows keep
 * their backends, the pods attached by the old agent get the new programs, and the old pins
 * are gone.
 */
class PinLayoutMigrationTest {
    static final String CLIENT = "10.204.0.2";
    static final String VIP = "10.96.0.10";

    @Test
    void v1PinsAreMigratedWithTheirFlowsAndPods() throws Exception {
        Requirements.requireNetns();
        Path root = DatapathFixture.uniquePinRoot();
        DatapathOptions opts0 = DatapathFixture.options(root);
        Files.createDirectories(root);
        try (NetworkNamespace a = NetworkNamespace.create("dpmig-a"); NetworkNamespace b = NetworkNamespace.create("dpmig-b")) {
            a.linkTo(b, "lxc0", "10.204.0.1/30", "eth0", CLIENT + "/30");
            DatapathOptions opts = opts0.withNetns(Netns.named(a.name()));
            String[] backendOf = new String[10];
            int oldProgId;
            // The previous agent: objects pinned straight under the root, a pod attached, flows open.
            try (BpfObject lxc = BpfObject.load(DatapathFixture.objects().resolve("bpf_lxc.o"), root.toString())) {
                ServicesFeature svc = new ServicesFeature(typed(lxc, DpMaps.SVC), typed(lxc, DpMaps.BACKENDS),
                        typed(lxc, DpMaps.REVNAT), typed(lxc, DpMaps.MAGLEV), typed(lxc, DpMaps.CT));
                svc.apply(List.of(new ServiceSpec("shop/web:http", Frontend.of(VIP, 80, Protocol.TCP), false,
                        ServiceSpec.Algorithm.RANDOM, List.of(Backend.of("10.2.0.7", 8080), Backend.of("10.2.0.8", 8080),
                                Backend.of("10.2.0.9", 8080)))));
                int ifindex = Netns.call(opts.netns(), () -> {
                    Tc.attach("lxc0", Tc.Direction.INGRESS, lxc.program(Datapath.FROM_POD));
                    Tc.attach("lxc0", Tc.Direction.EGRESS, lxc.program(Datapath.TO_POD));
                    return Tc.ifindex("lxc0");
                });
                typed(lxc, DpMaps.ENDPOINTS).put(ifindex, new EndpointValue(Ipv4.parse(CLIENT), 0));
                oldProgId = Netns.call(opts.netns(), () -> Tc.query("lxc0", Tc.Direction.INGRESS));
                for (int i = 0; i < backendOf.length; i++) {
                    backendOf[i] = send(lxc.program(Datapath.FROM_POD), 41000 + i, TCP_SYN);
                }
            }
            assertThat(root.resolve("dp_svc4")).exists();

            try (Datapath dp = Datapath.open(opts)) {
                assertThat(dp.restoredFrontends()).isEqualTo(1);
                assertThat(dp.services()).singleElement().satisfies(s -> assertThat(s.backendCount()).isEqualTo(3));
                for (int i = 0; i < backendOf.length; i++) {
                    assertThat(send(dp.program(Datapath.FROM_POD), 41000 + i, TCP_ACK))
                            .as("flow %d keeps its backend across the upgrade", i).isEqualTo(backendOf[i]);
                }
                int newProgId = dp.attachedProgramId("lxc0", true);
                assertThat(newProgId).as("the pod got the new program").isPositive().isNotEqualTo(oldProgId);
                assertThat(root.resolve("dp_svc4")).as("v1 pins removed").doesNotExist();
                assertThat(root.resolve("dp_ct4")).doesNotExist();
                assertThat(root.resolve("progs")).doesNotExist();
                assertThat(PinLayout.mapsDir(root).resolve("dp_svc4")).exists();
                dp.detachPod("lxc0");
            }
        } finally {
            Datapath.removePins(root);
        }
    }

    private static <K, V> TypedMap<K, V> typed(BpfObject o, DpMaps.Spec<K, V> spec) {
        return new TypedMap<>(o.map(spec.name()), spec.key(), spec.value());
    }

    private static String send(io.gannet.bpf.libbpf.BpfProgram p, int port, int flags) {
        byte[] out = p.testRun(Packets.build(Packets.tcp(CLIENT, port, VIP, 80, flags)), 1).packet();
        return Ipv4.format(ByteBuffer.wrap(out).getInt(30));
    }
}
