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

/**
 * Gannet (left namespace, sockets opened there by setns on the BFD timer thread) against
 * FRR 8.4 bfdd (right namespace).
 */
class FrrInteropTest {

    @Test
    void upPollAndFailureBothWays() throws Exception {
        Requirements.requireNetns();
        Requirements.requireCommand(FrrBfdd.BFDD);
        Requirements.requireCommand("vtysh");
        Requirements.requireCommand("nft");
        List<BfdStateChange> events = new CopyOnWriteArrayList<>();
        try (TwoNamespaces net = new TwoNamespaces("f");
                BfdService gannet = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()));
                FrrBfdd frr = FrrBfdd.start(net.right, FrrBfdd.peer("10.53.0.1", "10.53.0.2", 50, 3))) {
            BfdSessionHandle h = gannet.request(BfdPeerSpec.singleHop(net.rightAddress, net.leftAddress,
                    TwoNamespaces.LEFT_IF, Duration.ofMillis(50), 3), events::add);

            Await.until(Duration.ofSeconds(15), () -> "Up with FRR: " + frr.peersJson() + h.status(),
                    () -> h.state() == BfdState.UP && "up".equals(frr.field("status")));
            Await.until(Duration.ofSeconds(3), "poll after Up done", () -> !h.status().pollActive());
            assertThat(h.status().txIntervalMicros()).isEqualTo(50_000);
            assertThat(h.status().detectTimeMicros()).isEqualTo(150_000);
            // FRR advertises Required Min Echo RX 50 ms with echo off: ignored, still Up.
            assertThat(frr.field("remote-id")).isEqualTo(Long.toString(h.status().localDiscriminator()));

            // Our timer change reaches FRR through a Poll Sequence.
            h.updateTimers(Duration.ofMillis(200), Duration.ofMillis(200), 3);
            Await.until(Duration.ofSeconds(5), () -> "FRR sees 200 ms: " + frr.peersJson(),
                    () -> "200".equals(frr.field("remote-receive-interval"))
                            && "200".equals(frr.field("remote-transmit-interval")) && !h.status().pollActive());
            assertThat(h.status().txIntervalMicros()).isEqualTo(200_000);
            assertThat(h.status().detectTimeMicros()).isEqualTo(600_000);
            h.updateTimers(Duration.ofMillis(50), Duration.ofMillis(50), 3);
            Await.until(Duration.ofSeconds(5), "back to 50 ms", () -> "50".equals(frr.field("remote-receive-interval"))
                    && !h.status().pollActive());

            // We go silent: FRR times out and sends Down with Your Discriminator 0, which
            // reaches our session by address and takes it down.
            long flapsBefore = h.status().flaps();
            long detectionsBefore = h.status().detectionEvents();
            TwoNamespaces.cut(net.left);
            try {
                Await.until(Duration.ofSeconds(3), () -> "FRR Down: " + frr.peersJson(),
                        () -> "down".equals(frr.field("status")));
                assertThat(frr.field("diagnostic")).isEqualTo("control detection time expired");
                // (Down may already have moved on to Init: the peer keeps sending Down.)
                Await.until(Duration.ofSeconds(2), "Gannet Down", () -> h.status().flaps() > flapsBefore);
                assertThat(h.state()).isNotEqualTo(BfdState.UP);
                // Not our timer (our side still hears the peer): the peer's Down did it.
                assertThat(h.status().detectionEvents()).isEqualTo(detectionsBefore);
            } finally {
                TwoNamespaces.heal(net.left);
            }
            Await.until(Duration.ofSeconds(10), "Up again", () -> h.state() == BfdState.UP && "up".equals(frr.field("status")));
            Await.until(Duration.ofSeconds(3), "fast again", () -> h.status().detectTimeMicros() == 150_000);

            // FRR dies: detected within the detection time.
            long killedAt = System.nanoTime();
            frr.kill();
            Await.until(Duration.ofSeconds(3), "Gannet detects FRR's death", () -> events.stream()
                    .anyMatch(e -> e.wentDown() && e.diagnostic() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED));
            BfdStateChange death = events.stream()
                    .filter(e -> e.wentDown() && e.diagnostic() == Diagnostic.CONTROL_DETECTION_TIME_EXPIRED)
                    .reduce((a, b) -> b).orElseThrow();
            // Last packet -> Down = the 150 ms detection time, plus scheduling slack.
            assertThat((death.monotonicNanos() - death.lastReceivedNanos()) / 1_000_000).isBetween(150L, 150L + 50);
            assertThat((death.monotonicNanos() - killedAt) / 1_000_000).isLessThan(150 + 300);
            h.close();
        }
    }
}
