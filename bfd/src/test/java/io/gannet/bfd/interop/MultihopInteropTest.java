package io.gannet.bfd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bfd.BfdPeerSpec;
import io.gannet.bfd.BfdService;
import io.gannet.bfd.BfdServiceOptions;
import io.gannet.bfd.BfdSessionHandle;
import io.gannet.bfd.BfdStateChange;
import io.gannet.bfd.HopMode;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.bfd.wire.DropReason;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Multihop BFD (RFC 5883) against FRR 8.4 bfdd and BIRD 2.0.12 across a routed hop (left, router,
 * right: packets sent with TTL 255 arrive with 254; BIRD sends multihop BFD with TTL 64, so they
 * arrive with 63, and our BIRD session accepts any TTL). Gannet opens its sockets in the left
 * namespace; the peer runs in the right one with a multihop session for the (local, remote)
 * address pair. Each test: Up on UDP 4784, a TTL minimum above what the path leaves is enforced
 * (RFC 5883 5), administrative down both ways is not a failure (RFC 5880 6.8.16, 6.8.6), our
 * silence is detected by the peer and its Down takes ours down, and the peer's death is detected
 * within the detection time.
 */
class MultihopInteropTest {
    private static final int INTERVAL_MS = 50;
    private static final int MULT = 3;

    private static BfdPeerSpec spec(RoutedNamespaces net) {
        return BfdPeerSpec.multiHop(net.rightAddress, net.leftAddress, Duration.ofMillis(INTERVAL_MS), MULT);
    }

    /** BIRD 2 sends multihop BFD with the system's default TTL (64): any TTL accepted, as the agent resolves it. */
    private static BfdPeerSpec anyTtl(BfdPeerSpec s) {
        return new BfdPeerSpec(s.peer(), s.local(), null, HopMode.MULTI_HOP, s.desiredMinTx(), s.requiredMinRx(), s.detectMult(),
                null, 1);
    }

    @Test
    void withFrrBfdd() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand(FrrBfdd.BFDD);
        Requirements.requireCommand("vtysh");
        Requirements.requireCommand("nft");
        List<BfdStateChange> events = new CopyOnWriteArrayList<>();
        try (RoutedNamespaces net = new RoutedNamespaces("f");
                BfdService gannet = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()));
                FrrBfdd frr = FrrBfdd.start(net.right, FrrBfdd.multihopPeer("10.54.1.1", "10.54.2.2", INTERVAL_MS, MULT))) {
            ttlMinimumIsEnforced(gannet, net, () -> "up".equals(frr.field("status")));

            BfdSessionHandle h = gannet.request(spec(net), events::add);
            Await.until(Duration.ofSeconds(15), () -> "Up with FRR: " + frr.peersJson() + h.status(),
                    () -> h.state() == BfdState.UP && "up".equals(frr.field("status")));
            assertThat(frr.field("multihop")).isEqualTo("true");
            assertThat(frr.field("remote-id")).isEqualTo(Long.toString(h.status().localDiscriminator()));
            Await.until(Duration.ofSeconds(3), "poll after Up done", () -> !h.status().pollActive());
            assertThat(h.status().detectTimeMicros()).isEqualTo(150_000);
            assertThat(h.status().key().hopMode()).isEqualTo(HopMode.MULTI_HOP);
            assertThat(h.status().drops()).doesNotContainKeys(DropReason.TTL, DropReason.TTL_BELOW_MINIMUM);

            // We go administratively down: FRR sees AdminDown (not a failure), no detection on either side.
            long detections = h.status().detectionEvents();
            h.setAdminDown(true);
            Await.until(Duration.ofSeconds(3), () -> "FRR sees our AdminDown: " + frr.peersJson(),
                    () -> "down".equals(frr.field("status")) && "administratively down".equals(frr.field("remote-diagnostic")));
            assertThat(h.state()).isEqualTo(BfdState.ADMIN_DOWN);
            h.setAdminDown(false);
            Await.until(Duration.ofSeconds(10), () -> "Up after our AdminDown: " + frr.peersJson(),
                    () -> h.state() == BfdState.UP && "up".equals(frr.field("status")));

            // FRR shuts the peer down: we see AdminDown from it and go Down with diagnostic 3, by its signal.
            frr.vtysh("configure terminal", "bfd", "peer 10.54.1.1 multihop local-address 10.54.2.2", "shutdown");
            Await.until(Duration.ofSeconds(3), () -> "FRR AdminDown reaches us: " + h.status(),
                    () -> h.status().remoteState() == BfdState.ADMIN_DOWN && h.state() == BfdState.DOWN);
            assertThat(h.status().localDiagnostic()).isEqualTo(Diagnostic.NEIGHBOR_SIGNALED_SESSION_DOWN);
            frr.vtysh("configure terminal", "bfd", "peer 10.54.1.1 multihop local-address 10.54.2.2", "no shutdown");
            Await.until(Duration.ofSeconds(10), () -> "Up after FRR's shutdown: " + frr.peersJson(),
                    () -> h.state() == BfdState.UP && "up".equals(frr.field("status")));
            assertThat(h.status().detectionEvents()).isEqualTo(detections);

            silenceAndDeath(h, events, net, () -> "down".equals(frr.field("status")), frr::peersJson, frr::kill);
        }
    }

    @Test
    void withBird() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
        Requirements.requireCommand("nft");
        List<BfdStateChange> events = new CopyOnWriteArrayList<>();
        try (RoutedNamespaces net = new RoutedNamespaces("b");
                BfdService gannet = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()));
                BirdBfd bird = BirdBfd.startMultihop(net.right, "10.54.2.2", "10.54.1.1", "10.54.2.2", INTERVAL_MS, MULT)) {
            Supplier<String> birdState = () -> {
                BirdBfd.Session s = bird.session("10.54.1.1");
                return s == null ? "none" : s.state();
            };
            ttlMinimumIsEnforced(gannet, net, () -> "Up".equals(birdState.get()));

            BfdSessionHandle h = gannet.request(anyTtl(spec(net)), events::add);
            Await.until(Duration.ofSeconds(15), () -> "Up with BIRD: " + bird.birdc("show bfd sessions") + h.status(),
                    () -> h.state() == BfdState.UP && "Up".equals(birdState.get()));
            Await.until(Duration.ofSeconds(3), "poll after Up done", () -> !h.status().pollActive());
            assertThat(h.status().detectTimeMicros()).isEqualTo(150_000);
            assertThat(bird.session("10.54.1.1").intervalSeconds()).isEqualTo(0.05);
            assertThat(h.status().drops()).doesNotContainKeys(DropReason.TTL, DropReason.TTL_BELOW_MINIMUM);

            // We go administratively down: BIRD leaves Up without a detection on our side; back Up after.
            long detections = h.status().detectionEvents();
            h.setAdminDown(true);
            Await.until(Duration.ofSeconds(3), () -> "BIRD sees our AdminDown: " + bird.birdc("show bfd sessions"),
                    () -> !"Up".equals(birdState.get()));
            assertThat(h.state()).isEqualTo(BfdState.ADMIN_DOWN);
            h.setAdminDown(false);
            Await.until(Duration.ofSeconds(10), () -> "Up after our AdminDown: " + bird.birdc("show bfd sessions"),
                    () -> h.state() == BfdState.UP && "Up".equals(birdState.get()));
            assertThat(h.status().detectionEvents()).isEqualTo(detections);

            silenceAndDeath(h, events, net, () -> !"Up".equals(birdState.get()), () -> bird.birdc("show bfd sessions"), bird::kill);
        }
    }

    /**
     * RFC 5883 5: a multihop session may require a minimum received TTL. Asking for 255 across a
     * routed hop (FRR's packets arrive with 254, BIRD's with 63) keeps the session from coming up,
     * every packet counted as {@code ttl-below-minimum}; a lower minimum lets the later session up.
     */
    private static void ttlMinimumIsEnforced(BfdService gannet, RoutedNamespaces net, BooleanSupplier peerUp) throws Exception {
        BfdPeerSpec d = spec(net);
        BfdPeerSpec strict = new BfdPeerSpec(d.peer(), d.local(), null, HopMode.MULTI_HOP, d.desiredMinTx(), d.requiredMinRx(),
                d.detectMult(), null, 255);
        BfdSessionHandle h = gannet.request(strict, null);
        Await.until(Duration.ofSeconds(5), () -> "dropped for TTL: " + h.status(),
                () -> h.status().drops().getOrDefault(DropReason.TTL_BELOW_MINIMUM, 0L) >= 3);
        assertThat(h.state()).isNotEqualTo(BfdState.UP);
        assertThat(peerUp.getAsBoolean()).isFalse();
        h.close();
    }

    private static void silenceAndDeath(BfdSessionHandle h, List<BfdStateChange> events, RoutedNamespaces net,
            BooleanSupplier peerDown, Supplier<String> peerView, Runnable kill) throws Exception {
        // We go silent: the peer times out and sends Down (Your Discriminator 0 or ours), which
        // reaches our session and takes it down.
        long flapsBefore = h.status().flaps();
        long detectionsBefore = h.status().detectionEvents();
        TwoNamespaces.cut(net.left);
        try {
            Await.until(Duration.ofSeconds(3), () -> "peer Down: " + peerView.get(), peerDown);
            Await.until(Duration.ofSeconds(2), "Gannet Down", () -> h.status().flaps() > flapsBefore);
            assertThat(h.state()).isNotEqualTo(BfdState.UP);
            assertThat(h.status().detectionEvents()).isEqualTo(detectionsBefore);
        } finally {
            TwoNamespaces.heal(net.left);
        }
        Await.until(Duration.ofSeconds(10), "Up again", () -> h.state() == BfdState.UP && !peerDown.getAsBoolean());
        Await.until(Duration.ofSeconds(3), "fast again", () -> h.status().detectTimeMicros() == 150_000);

        // The peer dies: detected within the detection time (3 x 50 ms).
        long killedAt = System.nanoTime();
        kill.run();
        Await.until(Duration.ofSeconds(3), "Gannet detects the peer's death", () -> events.stream()
                .anyMatch(e -> e.wentDown() && e.diagnostic() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED));
        BfdStateChange death = events.stream()
                .filter(e -> e.wentDown() && e.diagnostic() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED)
                .reduce((a, b) -> b).orElseThrow();
        long lastPacketToDownMs = (death.monotonicNanos() - death.lastReceivedNanos()) / 1_000_000;
        System.out.println("[bfd multihop] last packet -> Down " + lastPacketToDownMs + " ms, kill -> Down "
                + (death.monotonicNanos() - killedAt) / 1_000_000 + " ms");
        assertThat(lastPacketToDownMs).isBetween(150L, 150L + 50);
        assertThat((death.monotonicNanos() - killedAt) / 1_000_000).isLessThan(150 + 300);
        h.close();
    }
}
