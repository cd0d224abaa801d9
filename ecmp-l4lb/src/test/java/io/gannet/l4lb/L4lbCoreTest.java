package io.gannet.l4lb;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.Frontend;
import io.gannet.bpf.lb.Protocol;
import io.gannet.l4lb.announce.Announcer;
import io.gannet.l4lb.announce.RouteDamper;
import io.gannet.l4lb.forward.Forwarding;
import io.gannet.l4lb.health.HealthChecker.Target;
import io.gannet.l4lb.maglev.VipTable;
import io.gannet.l4lb.model.HealthCheckSpec;
import io.gannet.l4lb.model.Problem;
import io.gannet.l4lb.model.Readiness;
import io.gannet.l4lb.model.VipPool;
import io.gannet.l4lb.model.VipService;
import io.gannet.l4lb.model.WeightedBackend;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The L4LB's decisions with a clock the test moves, a recording announcer and forwarding. */
class L4lbCoreTest {
    long now = 1_000_000;
    final InstantSource clock = () -> Instant.ofEpochMilli(now);
    final List<String> routeLog = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    /** For each {@link Announcer#settled} call: how many route changes came before it. */
    final List<Integer> settledAfter = new ArrayList<>();
    List<Forwarding.ForwardedVip> programmed = List.of();
    final List<Target> retained = new ArrayList<>();
    boolean restored;
    List<Forwarding.AdoptedVip> adopted = List.of();

    final Announcer announcer = new Announcer() {
        @Override
        public void announce(String prefix, List<String> communities) {
            routeLog.add("announce " + prefix + " " + communities);
        }

        @Override
        public void withdraw(String prefix) {
            routeLog.add("withdraw " + prefix);
        }

        @Override
        public void settled() {
            settledAfter.add(routeLog.size());
        }
    };

    final Forwarding forwarding = new Forwarding() {
        @Override
        public void program(List<ForwardedVip> vips) {
            programmed = vips;
        }

        @Override
        public int tableSize() {
            return 251;
        }

        @Override
        public boolean restored() {
            return restored;
        }

        @Override
        public List<AdoptedVip> adopted() {
            return adopted;
        }

        @Override
        public void close() {}
    };

    final L4lbCore.Health health = new L4lbCore.Health() {
        @Override
        public boolean retain(Target t) {
            retained.add(t);
            return false;
        }

        @Override
        public void release(Target t) {
            retained.remove(t);
        }
    };

    static final Backend B1 = Backend.of("10.9.0.1", 8080);
    static final Backend B2 = Backend.of("10.9.0.2", 8080);
    static final HealthCheckSpec CHECK = HealthCheckSpec.DEFAULT_TCP;

    L4lbCore core(List<String> profileVips) {
        L4lbOptions o = new L4lbOptions(Path.of("/nonexistent"), VipPool.of(List.of("203.0.113.0/24", "2001:db8:113::/64")), profileVips,
                List.of("65000:100"), new RouteDamper.Options(Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(60)),
                Duration.ofSeconds(1));
        return new L4lbCore(o, forwarding, announcer, health, clock, (a, s, d) -> events.add(a + " " + s + " " + d));
    }

    static VipService web(Backend... bs) {
        return new VipService("default/web:http", Frontend.of("203.0.113.10", 80, Protocol.TCP),
                List.of(bs).stream().map(b -> new WeightedBackend(b, 1)).toList(), CHECK);
    }

    static Target t(Backend b) {
        return new Target(io.gannet.bpf.lb.Ipv4.format(b.addr()), b.port(), CHECK);
    }

    void advance(long ms, L4lbCore c) {
        now += ms;
        c.tick();
    }

    @Test
    void announcedOnlyWhileAHealthyBackendHasHeldAndWithdrawnWhenNoneIs() {
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1, B2)), List.of());
        assertThat(retained).containsExactlyInAnyOrder(t(B1), t(B2));
        assertThat(programmed.get(0).backends()).as("nothing healthy yet").isEmpty();
        assertThat(routeLog).isEmpty();
        assertThat(c.snapshot().get(0).reason()).isEqualTo("no healthy backend");

        c.healthChanged(t(B1), true, "ok");
        assertThat(programmed.get(0).backends()).extracting(WeightedBackend::backend).containsExactly(B1);
        advance(1000, c);
        assertThat(routeLog).as("held 2 s before the first announcement").isEmpty();
        advance(1100, c);
        assertThat(routeLog).containsExactly("announce 203.0.113.10/32 [65000:100]");
        assertThat(c.snapshot().get(0).route()).isEqualTo("announced");

        c.healthChanged(t(B2), true, "ok");
        c.healthChanged(t(B1), false, "connection refused");
        assertThat(programmed.get(0).backends()).as("the failing backend left the table").extracting(WeightedBackend::backend)
                .containsExactly(B2);
        assertThat(c.snapshot().get(0).backends()).extracting(VipStatus.BackendStatus::lastResult)
                .containsExactly("connection refused", "ok");
        assertThat(routeLog).hasSize(1);

        c.healthChanged(t(B2), false, "timed out");
        assertThat(routeLog).last().isEqualTo("withdraw 203.0.113.10/32");
        assertThat(c.snapshot().get(0).fingerprint()).isEqualTo("0000000000000000");
        assertThat(events).anyMatch(e -> e.startsWith("vip-withdraw 203.0.113.10/32 no healthy backend"));
    }

    @Test
    void aFailingBackendMovesOnlyItsOwnEntriesAndShowVipsCountsWhatEachHolds() {
        Backend b3 = Backend.of("10.9.0.3", 8080);
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1, B2, b3)), List.of());
        c.healthChanged(t(B1), true, "ok");
        c.healthChanged(t(B2), true, "ok");
        c.healthChanged(t(b3), true, "ok");
        VipTable all = programmed.get(0).table();
        assertThat(all).isEqualTo(VipTable.build(web(B1, B2, b3).backends(), 251));

        c.healthChanged(t(B2), false, "connection refused");
        Forwarding.ForwardedVip v = programmed.get(0);
        assertThat(v.backends()).extracting(WeightedBackend::backend).containsExactly(B1, b3);
        VipTable oneDown = v.table();
        for (int i = 0; i < 251; i++) {
            if (B2.equals(all.at(i))) {
                assertThat(oneDown.at(i)).as("entry %d of the failed backend", i).isIn(B1, b3);
            } else {
                assertThat(oneDown.at(i)).as("entry %d stays", i).isEqualTo(all.at(i));
            }
        }
        VipStatus row = c.snapshot().get(0);
        assertThat(row.fingerprint()).isEqualTo(oneDown.fingerprint()).isNotEqualTo(all.fingerprint());
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::healthy).containsExactly(true, false, true);
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::tableEntries)
                .containsExactly(oneDown.counts()[0], 0, oneDown.counts()[2]);
        assertThat(oneDown.counts()[0] + oneDown.counts()[2]).isEqualTo(251);

        advance(100, c);
        assertThat(programmed.get(0).table()).as("the tick reuses a table whose inputs did not change").isSameAs(oneDown);
        c.healthChanged(t(B2), true, "ok");
        assertThat(programmed.get(0).table()).as("back to plain Maglev").isEqualTo(all);
    }

    @Test
    void aFlappingBackendIsDampedAndThenSuppressed() {
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1)), List.of());
        int announcements = 0;
        for (int flap = 0; flap < 6; flap++) {
            c.healthChanged(t(B1), true, "ok");
            advance(500, c);  // back up for less than the hold: no re-announcement
            c.healthChanged(t(B1), false, "refused");
            advance(500, c);
            c.healthChanged(t(B1), true, "ok");
            advance(2500, c);
            c.healthChanged(t(B1), false, "refused");
            advance(100, c);
        }
        announcements = (int) routeLog.stream().filter(s -> s.startsWith("announce")).count();
        assertThat(announcements).as("the third withdrawal in a few seconds pushes the penalty over 2000: no more announcements").isEqualTo(3);
        c.healthChanged(t(B1), true, "ok");
        advance(3000, c);
        assertThat(c.snapshot().get(0).route()).isEqualTo("suppressed");
        assertThat(c.snapshot().get(0).reason()).startsWith("suppressed: flapping");
        advance(120_000, c); // the penalty decays below the reuse threshold
        assertThat(routeLog).last().isEqualTo("announce 203.0.113.10/32 [65000:100]");
    }

    @Test
    void drainWithdrawsAtOnceAndReportsDoneAfterTheGrace() {
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1)), List.of());
        c.healthChanged(t(B1), true, "ok");
        advance(2100, c);
        assertThat(routeLog).containsExactly("announce 203.0.113.10/32 [65000:100]");
        assertThat(c.startDrain(Duration.ofSeconds(30))).isEqualTo("draining");
        assertThat(routeLog).last().isEqualTo("withdraw 203.0.113.10/32");
        assertThat(programmed.get(0).backends()).as("established flows keep being forwarded").hasSize(1);
        assertThat(c.snapshot().get(0).route()).isEqualTo("draining");
        advance(29_000, c);
        assertThat(c.drain()).isEqualTo(L4lbCore.Drain.DRAINING);
        assertThat(c.drainLeft()).isEqualTo(1000);
        advance(1000, c);
        assertThat(c.drain()).isEqualTo(L4lbCore.Drain.DRAINED);
        assertThat(routeLog).hasSize(2);
        assertThat(events).anyMatch(e -> e.startsWith("drain vips done"));
    }

    @Test
    void profileVipsWithoutAServiceAndRefusedInputAreShown() {
        L4lbCore c = core(List.of("203.0.113.99"));
        c.setServices(List.of(), List.of(new Problem("svc.yaml: document 1 (Service default/x)",
                "VIP 198.51.100.9 is outside the profile's VIP pool 203.0.113.0/24: not served")));
        assertThat(c.snapshot()).hasSize(2);
        assertThat(c.snapshot().get(0).vip()).isEqualTo("203.0.113.99");
        assertThat(c.snapshot().get(0).reason()).isEqualTo("no Service defines this VIP");
        assertThat(c.snapshot().get(1).route()).isEqualTo("refused");
        assertThat(c.snapshot().get(1).toRow().get("reason").toString()).contains("outside the profile's VIP pool");
        assertThat(routeLog).isEmpty();
        assertThat(events).anyMatch(e -> e.startsWith("vip-input svc.yaml"));
    }

    @Test
    void removedServicesReleaseTheirChecksAndWithdraw() {
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1)), List.of());
        c.healthChanged(t(B1), true, "ok");
        advance(2100, c);
        c.setServices(List.of(), List.of());
        assertThat(retained).isEmpty();
        assertThat(routeLog).last().isEqualTo("withdraw 203.0.113.10/32");
        assertThat(programmed).isEmpty();
        assertThat(c.snapshot()).isEmpty();
    }

    @Test
    void anIpv6VipIsAnnouncedAsA128WithTheCommunitiesAndWithdrawnWhenItsBackendFails() {
        L4lbCore c = core(List.of("2001:db8:113:0:0:0:0:99"));
        Backend b6 = Backend.of("fd00:92::21", 8080);
        Backend b6b = Backend.of("fd00:92::22", 8080);
        VipService web6 = new VipService("shop/web6:http", Frontend.of("2001:db8:113::10", 80, Protocol.TCP),
                List.of(new WeightedBackend(b6b, 1), new WeightedBackend(b6, 1)), CHECK);
        c.setServices(List.of(web(B1), web6), List.of());
        Target t6 = new Target("fd00:92::21", 8080, CHECK);
        Target t6b = new Target("fd00:92::22", 8080, CHECK);
        assertThat(retained).as("the IPv6 backends are probed by their literal").contains(t6, t6b);
        assertThat(t6).hasToString("[fd00:92::21]:8080 (tcp)");

        c.healthChanged(t6, true, "ok");
        c.healthChanged(t6b, true, "ok");
        c.healthChanged(t(B1), true, "ok");
        advance(2100, c);
        assertThat(routeLog).containsExactlyInAnyOrder("announce 203.0.113.10/32 [65000:100]",
                "announce 2001:db8:113::10/128 [65000:100]");
        Forwarding.ForwardedVip fv = programmed.stream().filter(v -> v.frontend().ipv6()).findFirst().orElseThrow();
        assertThat(fv.backends()).extracting(WeightedBackend::backend).containsExactly(b6, b6b);
        List<VipStatus> rows = c.snapshot();
        assertThat(rows).extracting(VipStatus::vip).as("IPv4 first, then IPv6; the profile's VIP in canonical form")
                .containsExactly("203.0.113.10", "2001:db8:113::10", "2001:db8:113::99");
        VipStatus v6 = rows.get(1);
        assertThat(v6.frontend()).isEqualTo("[2001:db8:113::10]:80/TCP");
        assertThat(v6.route()).isEqualTo("announced");
        assertThat(v6.tableSize()).isEqualTo(251);
        assertThat(v6.fingerprint()).isNotEqualTo("0000000000000000");
        assertThat(v6.backends()).extracting(VipStatus.BackendStatus::backend).containsExactly("[fd00:92::21]:8080", "[fd00:92::22]:8080");
        assertThat(v6.backends()).extracting(VipStatus.BackendStatus::tableEntries).allMatch(n -> n >= 125 && n <= 126);
        assertThat(v6.toRow().get("vip")).isEqualTo("2001:db8:113::10/128");
        assertThat(rows.get(2).reason()).isEqualTo("no Service defines this VIP");

        c.healthChanged(t6, false, "connection refused");
        assertThat(routeLog).hasSize(2);
        c.healthChanged(t6b, false, "connection refused");
        assertThat(routeLog).last().isEqualTo("withdraw 2001:db8:113::10/128");
        assertThat(c.snapshot().get(1).reason()).isEqualTo("no healthy backend");
        assertThat(c.snapshot().get(0).route()).as("the IPv4 VIP is not affected").isEqualTo("announced");
        assertThat(events).anyMatch(e -> e.startsWith("vip-withdraw 2001:db8:113::10/128 no healthy backend"));
    }

    static VipService web(java.util.Map<Backend, Readiness> readiness, Backend... bs) {
        VipService w = web(bs);
        return new VipService(w.name(), w.frontend(), w.backends(), w.check(), readiness);
    }

    @Test
    void aBackendThatIsNotReadyMovesOnlyItsOwnEntriesAsAFailedCheckDoes() {
        Backend b3 = Backend.of("10.9.0.3", 8080);
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1, B2, b3)), List.of());
        for (Backend b : List.of(B1, B2, b3)) {
            c.healthChanged(t(b), true, "ok");
        }
        advance(2100, c);
        VipTable all = programmed.get(0).table();

        // B2's readiness probe fails: the EndpointSlice says ready: false
        c.setServices(List.of(web(java.util.Map.of(B2, Readiness.NOT_READY), B1, B2, b3)), List.of());
        VipTable notReady = programmed.get(0).table();
        assertThat(programmed.get(0).backends()).extracting(WeightedBackend::backend).containsExactly(B1, b3);
        VipTable removed = VipTable.build(web(B1, b3).backends(), 251);
        int moved = 0;
        for (int i = 0; i < 251; i++) {
            if (B2.equals(all.at(i))) {
                assertThat(notReady.at(i)).as("entry %d of the backend that is not ready", i).isIn(B1, b3);
            } else {
                assertThat(notReady.at(i)).as("entry %d stays", i).isEqualTo(all.at(i));
            }
            if (!B2.equals(all.at(i)) && !all.at(i).equals(removed.at(i))) {
                moved++;
            }
        }
        assertThat(moved).as("what dropping it from the Maglev set would have moved besides its own entries").isPositive();
        assertThat(notReady.backends()).as("still configured").hasSize(3);
        c.setServices(List.of(web(B1, B2, b3)), List.of());
        c.healthChanged(t(B2), false, "connection refused");
        assertThat(programmed.get(0).table()).as("the same table as a failed health check gives").isEqualTo(notReady);

        c.healthChanged(t(B2), true, "ok");
        c.setServices(List.of(web(java.util.Map.of(B2, Readiness.NOT_READY), B1, B2, b3)), List.of());
        VipStatus row = c.snapshot().get(0);
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::state).containsExactly("ready", "not ready", "ready");
        assertThat(retained).as("a backend that takes no flows is not probed").containsExactlyInAnyOrder(t(B1), t(b3));
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::probed).containsExactly(true, false, true);
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::checkUp).containsExactly(true, false, true);
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::healthy).containsExactly(true, false, true);
        assertThat(row.backends().get(1).lastResult()).isEqualTo("not probed: not ready (probing starts when it is ready)");
        assertThat(row.backends().get(1).tableEntries()).isZero();
        assertThat(row.toRow().get("healthy")).isEqualTo("2/3");
        assertThat(row.route()).isEqualTo("announced");
        c.healthChanged(t(B2), true, "ok");
        assertThat(c.snapshot().get(0).backends().get(1).checkUp()).as("a late result of its last probe is dropped").isFalse();

        c.setServices(List.of(web(B1, B2, b3)), List.of());
        assertThat(retained).as("ready again: probed again").contains(t(B2));
        assertThat(programmed.get(0).table()).as("ready again, it starts down: no flows before its check rises")
                .isEqualTo(notReady);
        assertThat(c.snapshot().get(0).backends().get(1).lastResult()).isEqualTo("not healthy yet");
        c.healthChanged(t(B2), true, "ok");
        assertThat(programmed.get(0).table()).as("risen: plain Maglev").isEqualTo(all);
    }

    @Test
    void terminatingEndpointsServeOnlyWhileNoReadyOneIsUpAndNoneServingWithdrawsTheVip() {
        Backend b3 = Backend.of("10.9.0.3", 8080);
        L4lbCore c = core(List.of());
        java.util.Map<Backend, Readiness> rolling = java.util.Map.of(B1, Readiness.NOT_READY, B2, Readiness.TERMINATING_SERVING,
                b3, Readiness.TERMINATING);
        c.setServices(List.of(web(java.util.Map.of(B2, Readiness.TERMINATING_SERVING), B1, B2, b3)), List.of());
        for (Backend b : List.of(B1, B2, b3)) {
            c.healthChanged(t(b), true, "ok");
        }
        advance(2100, c);
        assertThat(programmed.get(0).backends()).as("ready endpoints serve; the terminating one does not")
                .extracting(WeightedBackend::backend).containsExactly(B1, b3);
        assertThat(c.snapshot().get(0).backends().get(1).state()).isEqualTo("terminating, serving: ready endpoints are up");

        c.healthChanged(t(B1), false, "connection refused");
        c.healthChanged(t(b3), false, "connection refused");
        assertThat(programmed.get(0).backends()).as("the ready ones fail their checks: the terminating one still serving takes over")
                .extracting(WeightedBackend::backend).containsExactly(B2);
        assertThat(c.snapshot().get(0).backends().get(1).state()).isEqualTo("terminating, serving: no ready endpoint is up");
        assertThat(c.snapshot().get(0).route()).as("not withdrawn while the fallback is up").isEqualTo("announced");
        c.healthChanged(t(B1), true, "ok");
        c.healthChanged(t(b3), true, "ok");
        assertThat(programmed.get(0).backends()).as("ready ones up again").extracting(WeightedBackend::backend).containsExactly(B1, b3);

        c.setServices(List.of(web(rolling, B1, B2, b3)), List.of());
        assertThat(programmed.get(0).backends()).as("none ready: the serving terminating endpoint is the fallback")
                .extracting(WeightedBackend::backend).containsExactly(B2);
        assertThat(programmed.get(0).table().counts()).containsExactly(0, 251, 0);
        VipStatus row = c.snapshot().get(0);
        assertThat(row.backends()).extracting(VipStatus.BackendStatus::state)
                .containsExactly("not ready", "terminating, serving: no ready endpoint is up", "terminating");
        assertThat(row.route()).isEqualTo("announced");

        c.healthChanged(t(B2), false, "connection refused");
        assertThat(routeLog).as("the fallback endpoint fails its check: nothing serves").last()
                .isEqualTo("withdraw 203.0.113.10/32");
        assertThat(c.snapshot().get(0).reason()).isEqualTo("no healthy backend");

        c.setServices(List.of(web(java.util.Map.of(B1, Readiness.NOT_READY, B2, Readiness.TERMINATING, b3, Readiness.NOT_READY),
                B1, B2, b3)), List.of());
        assertThat(c.snapshot().get(0).reason()).as("though their checks pass").isEqualTo("no ready backend");
        assertThat(c.snapshot().get(0).fingerprint()).isEqualTo(VipTable.EMPTY);
    }

    @Test
    void afterARestartTheEarlierRunsForwardingServesUntilHealthIsKnown() {
        restored = true; // the datapath re-adopted VIPs an earlier run programmed
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1, B2)), List.of());
        assertThat(programmed).as("not programmed with no backend healthy yet: established flows would be reset").isEmpty();
        assertThat(c.snapshot().get(0).reason()).endsWith("; datapath: the earlier run's tables serve until health is known after the restart");
        c.healthChanged(t(B1), true, "ok");
        assertThat(programmed).as("B2 not known yet").isEmpty();
        c.healthChanged(t(B2), true, "ok");
        assertThat(programmed.get(0).backends()).extracting(WeightedBackend::backend).containsExactly(B1, B2);
        assertThat(c.snapshot().get(0).reason()).doesNotContain("earlier run");

        // a backend that stays down: programmed without it once its check had the time to rise
        programmed = List.of();
        L4lbCore d = core(List.of());
        d.setServices(List.of(web(B1, B2)), List.of());
        d.healthChanged(t(B1), true, "ok");
        long rise = CHECK.interval().toMillis() * CHECK.rise() + CHECK.timeout().toMillis();
        advance(rise - 1, d);
        assertThat(programmed).isEmpty();
        advance(1, d);
        assertThat(programmed.get(0).backends()).extracting(WeightedBackend::backend).containsExactly(B1);

        // a fresh start (nothing re-adopted) programs at once
        restored = false;
        programmed = List.of();
        core(List.of()).setServices(List.of(web(B1)), List.of());
        assertThat(programmed).hasSize(1);
    }

    /**
     * With {@code --kube-api}, the first list of the Services may come long after the restart (the
     * API away): the wait before it is no time for the checks to rise, so the hold goes on until
     * they have had it after the list.
     */
    @Test
    void afterARestartTheTimeToRiseCountsFromTheFirstListOfTheServices() {
        restored = true;
        L4lbCore c = core(List.of("203.0.113.10"));
        advance(30_000, c); // no list yet: L4lb hands over nothing before the API has listed once
        assertThat(programmed).as("nothing known: the earlier run's tables stay").isEmpty();
        assertThat(c.snapshot().get(0).reason()).startsWith("waiting for the first list of the Services")
                .endsWith("; datapath: the earlier run's tables serve until it has and health is known");
        c.setServices(List.of(web(B1, B2)), List.of());
        assertThat(programmed).as("the backends not healthy yet: programming now would reset their flows").isEmpty();
        c.healthChanged(t(B1), true, "ok");
        long rise = CHECK.interval().toMillis() * CHECK.rise() + CHECK.timeout().toMillis();
        advance(rise - 1, c);
        assertThat(programmed).isEmpty();
        advance(1, c);
        assertThat(programmed.get(0).backends()).extracting(WeightedBackend::backend).containsExactly(B1);
    }

    /**
     * Before the first list of the Services after a restart, {@code show vips} has a row per
     * frontend the forwarding re-adopted (what the earlier run's tables serve), held, with the
     * backends those tables send flows to; once the list is in, the Services' own rows replace them.
     */
    @Test
    void beforeTheFirstListTheReAdoptedFrontendsAreShownAsHeld() {
        restored = true;
        adopted = List.of(new Forwarding.AdoptedVip(Frontend.of("203.0.113.10", 80, Protocol.TCP), List.of(B1, B2),
                        java.util.Map.of(B1, 126, B2, 125)),
                new Forwarding.AdoptedVip(Frontend.of("203.0.113.10", 7000, Protocol.TCP), List.of(B1), java.util.Map.of(B1, 251)));
        L4lbCore c = core(List.of("203.0.113.10"));
        advance(1000, c);
        List<VipStatus> rows = c.snapshot();
        assertThat(rows).extracting(VipStatus::frontend).as("one row per re-adopted frontend, no address-only row")
                .containsExactly("203.0.113.10:7000/TCP", "203.0.113.10:80/TCP");
        VipStatus web = rows.get(1);
        assertThat(web.route()).isEqualTo("held");
        assertThat(web.reason()).startsWith("held: waiting for the first list of the Services")
                .contains("the earlier run's tables serve it");
        assertThat(web.toRow().get("healthy")).as("both take new flows through the earlier table").isEqualTo("2/2");
        assertThat(web.backends()).extracting(VipStatus.BackendStatus::backend).containsExactly(B1.toString(), B2.toString());
        assertThat(web.backends()).allMatch(b -> !b.probed() && b.state().startsWith("re-adopted"));
        assertThat(web.backends()).extracting(VipStatus.BackendStatus::tableEntries).as("as the pinned table holds them")
                .containsExactly(126, 125);
        assertThat(routeLog).as("nothing announced before the list").isEmpty();

        c.setServices(List.of(web(B1)), List.of());
        assertThat(c.snapshot()).extracting(VipStatus::name).containsExactly("default/web:http");

        // a fresh start (nothing re-adopted) shows none
        restored = false;
        L4lbCore fresh = core(List.of("203.0.113.10"));
        advance(1000, fresh);
        assertThat(fresh.snapshot()).extracting(VipStatus::frontend).containsExactly("");
    }

    /** A restarted daemon holds End-of-RIB until settled: only once the VIP is announced again, and once. */
    @Test
    void afterARestartItSettlesOnceTheVipIsAnnouncedAgain() {
        restored = true;
        L4lbCore c = core(List.of("203.0.113.10"));
        c.setServices(List.of(web(B1)), List.of());
        c.healthChanged(t(B1), true, "ok");
        advance(1000, c);
        assertThat(routeLog).as("the restart hold is over, the route held 2 s before announcing").isEmpty();
        assertThat(settledAfter).isEmpty();
        advance(2100, c);
        assertThat(routeLog).containsExactly("announce 203.0.113.10/32 [65000:100]");
        assertThat(settledAfter).as("settled right after the announcement").containsExactly(1);
        advance(5000, c);
        c.healthChanged(t(B1), false, "refused");
        advance(100, c);
        assertThat(routeLog).containsExactly("announce 203.0.113.10/32 [65000:100]", "withdraw 203.0.113.10/32");
        assertThat(settledAfter).as("once per start").containsExactly(1);
    }

    @Test
    void aVipWithNoHealthyBackendDoesNotDelaySettling() {
        L4lbCore c = core(List.of("203.0.113.10"));
        advance(100, c);
        assertThat(settledAfter).as("no list of the Services yet").isEmpty();
        c.setServices(List.of(web(B1)), List.of());
        c.healthChanged(t(B1), false, "refused");
        advance(100, c);
        assertThat(routeLog).isEmpty();
        assertThat(settledAfter).containsExactly(0);
    }

    @Test
    void aReloadedProfileReannouncesWithItsCommunitiesAndShowsItsVips() {
        L4lbCore c = core(List.of());
        c.setServices(List.of(web(B1)), List.of());
        c.healthChanged(t(B1), true, "ok");
        advance(2100, c);
        assertThat(routeLog).containsExactly("announce 203.0.113.10/32 [65000:100]");

        assertThat(c.setProfile(VipPool.of(List.of("203.0.113.0/24", "2001:db8:113::/64")), List.of(), List.of("65000:100")))
                .as("nothing changed").isEmpty();
        String changed = c.setProfile(VipPool.of(List.of("203.0.113.0/24")), List.of("203.0.113.99"), List.of("65000:200"));
        assertThat(changed).isEqualTo("VIP pool 203.0.113.0/24, 2001:db8:113::/64 -> 203.0.113.0/24; VIPs [] -> [203.0.113.99];"
                + " VIP communities [65000:100] -> [65000:200]");
        assertThat(routeLog).last().as("announced again with the new communities").isEqualTo("announce 203.0.113.10/32 [65000:200]");
        c.setServices(List.of(web(B1)), List.of());
        assertThat(c.snapshot()).extracting(VipStatus::vip).containsExactly("203.0.113.10", "203.0.113.99");
        assertThat(c.snapshot().get(1).reason()).isEqualTo("no Service defines this VIP");
        assertThat(routeLog).hasSize(2);
    }
}
