package io.gannet.bfd.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bfd.BfdPeerSpec;
import io.gannet.bfd.BfdService;
import io.gannet.bfd.BfdServiceOptions;
import io.gannet.bfd.BfdSessionHandle;
import io.gannet.bfd.BfdStateChange;
import io.gannet.bfd.wire.BfdState;
import io.gannet.bfd.wire.Diagnostic;
import io.gannet.testsupport.Requirements;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Gannet (left namespace) against BIRD 2's BFD (right namespace). BIRD sends from ephemeral source ports. */
class BirdInteropTest {

    @Test
    void upPollAndFailureBothWays() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
        Requirements.requireCommand("nft");
        List<BfdStateChange> events = new CopyOnWriteArrayList<>();
        try (TwoNamespaces net = new TwoNamespaces("b");
                BfdService gannet = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()));
                BirdBfd bird = BirdBfd.start(net.right, "10.53.0.2", "10.53.0.1", "10.53.0.2", 50, 3)) {
            BfdSessionHandle h = gannet.request(BfdPeerSpec.singleHop(net.rightAddress, net.leftAddress,
                    TwoNamespaces.LEFT_IF, Duration.ofMillis(50), 3), events::add);

            Await.until(Duration.ofSeconds(15), () -> "Up with BIRD: " + bird.birdc("show bfd sessions") + h.status(),
                    () -> h.state() == BfdState.UP && bird.session("10.53.0.1") != null
                            && "Up".equals(bird.session("10.53.0.1").state()));
            Await.until(Duration.ofSeconds(3), "poll after Up done", () -> !h.status().pollActive());
            assertThat(h.status().txIntervalMicros()).isEqualTo(50_000);

            // Require 200 ms between BIRD's packets: after the Poll, BIRD transmits every 200 ms.
            h.updateTimers(Duration.ofMillis(50), Duration.ofMillis(200), 3);
            Await.until(Duration.ofSeconds(5), () -> "BIRD interval 0.200: " + bird.birdc("show bfd sessions"),
                    () -> bird.session("10.53.0.1").intervalSeconds() == 0.2 && !h.status().pollActive());
            assertThat(h.status().detectTimeMicros()).isEqualTo(600_000);
            h.updateTimers(Duration.ofMillis(50), Duration.ofMillis(50), 3);
            Await.until(Duration.ofSeconds(5), "BIRD back to 0.050", () -> bird.session("10.53.0.1").intervalSeconds() == 0.05);

            // We go silent: BIRD times out and signals Down with Your Discriminator 0.
            long flapsBefore = h.status().flaps();
            long detectionsBefore = h.status().detectionEvents();
            TwoNamespaces.cut(net.left);
            try {
                Await.until(Duration.ofSeconds(3), "BIRD Down", () -> !"Up".equals(bird.session("10.53.0.1").state()));
                // (Down may already have moved on to Init: the peer keeps sending Down.)
                Await.until(Duration.ofSeconds(2), "Gannet Down", () -> h.status().flaps() > flapsBefore);
                assertThat(h.state()).isNotEqualTo(BfdState.UP);
                // Not our timer (our side still hears the peer): the peer's Down did it.
                assertThat(h.status().detectionEvents()).isEqualTo(detectionsBefore);
            } finally {
                TwoNamespaces.heal(net.left);
            }
            Await.until(Duration.ofSeconds(10), "Up again", () -> h.state() == BfdState.UP);

            long killedAt = System.nanoTime();
            bird.kill();
            Await.until(Duration.ofSeconds(3), "Gannet detects BIRD's death", () -> events.stream()
                    .anyMatch(e -> e.wentDown() && e.diagnostic() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED));
            BfdStateChange death = events.stream()
                    .filter(e -> e.wentDown() && e.diagnostic() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat((death.monotonicNanos() - death.lastReceivedNanos()) / 1_000_000).isBetween(150L, 150L + 50);
            assertThat((death.monotonicNanos() - killedAt) / 1_000_000).isLessThan(150 + 300);
            h.close();
        }
    }
}
