package io.gannet.bgp.session;

import static io.gannet.bgp.session.PeerSessionTest.ALLOC;
import static io.gannet.bgp.session.PeerSessionTest.PEER;
import static io.gannet.bgp.session.PeerSessionTest.deliver;
import static io.gannet.bgp.session.PeerSessionTest.ipv4Open;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.RecordingRoutes;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.KeepaliveMessage;
import io.gannet.bgp.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The BFD gate of the FSM (RFC 5882 4.1, RFC 9384, draft-ietf-idr-bgp-bfd-strict-mode),
 * driven by hand: the test plays the peer and the BFD client, and moves time.
 */
class PeerSessionBfdTest {
    final ManualScheduler time = new ManualScheduler();
    final List<String> attempts = new ArrayList<>();
    final List<String> transitions = new ArrayList<>();
    final RecordingRoutes routes = new RecordingRoutes(List.of());

    SessionContext ctx() {
        Connector connector = (session, config) -> {
            attempts.add(config.address().getHostAddress());
            return () -> {};
        };
        return new SessionContext(time, connector, routes, (peer, from, to, reason) -> transitions.add(from + " -> " + to + " " + reason),
                new PeerIndexes(), new Jitter(new Random(7)), PeerSessionTest.LOCAL_ID, 0, s -> {});
    }

    PeerConfig.Builder peer() {
        return PeerConfig.builder("p", PEER, 65002, 65001).holdTimeSeconds(90).connectRetrySeconds(10);
    }

    FakeConnection establish(PeerSession s) {
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        deliver(s, c, ipv4Open(65002, 0x0A000002L, 30));
        deliver(s, c, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        return c;
    }

    @Test
    void bfdDownEndsAnEstablishedSessionWithCeaseBfdDownAndWithdrawsItsRoutes() {
        // Graceful restart negotiated on our side: a BFD Down must still not keep routes as stale.
        PeerSession s = new PeerSession(ctx(), peer().gracefulRestart(true).build(), false);
        s.start();
        FakeConnection c = establish(s);
        s.bfdDown("Control Detection Time Expired");
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(c.lastNotification()).isEqualTo("6/10"); // Cease / BFD Down, RFC 9384
        assertThat(c.closed).isTrue();
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=false"));
        assertThat(s.status().lastError()).startsWith("BFD down: Control Detection Time Expired");
        assertThat(transitions.get(transitions.size() - 1)).startsWith("Established -> Idle BFD down: Control Detection Time Expired");
        assertThat(s.status().flaps()).isEqualTo(1);
        assertThat(s.bfdGated()).isTrue();
    }

    @Test
    void afterBfdDownTheSessionStaysIdleRefusesThePeerAndMakesNoConnectionUntilBfdUp() {
        PeerSession s = new PeerSession(ctx(), peer().build(), false);
        s.start();
        establish(s);
        s.bfdDown("Neighbor Signaled Session Down");
        int attemptsBefore = attempts.size();
        time.advance(600_000); // no IdleHold, no ConnectRetry: nothing wakes the session
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(attempts).hasSize(attemptsBefore);
        assertThat(time.nextDelay()).isEqualTo(-1);

        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        assertThat(in.lastNotification()).isEqualTo("6/5"); // Cease / Connection Rejected
        assertThat(in.closed).isTrue();
        assertThat(s.state()).isEqualTo(SessionState.IDLE);

        s.bfdUp();
        assertThat(s.bfdGated()).isFalse();
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        assertThat(attempts).hasSize(attemptsBefore + 1);
        assertThat(transitions.get(transitions.size() - 1)).isEqualTo("Idle -> Connect BFD up, connecting");
        establish(s);
    }

    @Test
    void bfdDownWhileConnectingStopsTheAttemptAndWhileIdleHoldCancelsTheRetry() {
        PeerSession s = new PeerSession(ctx(), peer().build(), false);
        s.start();
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        s.bfdDown("Path Down");
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        time.advance(600_000);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(attempts).hasSize(1);

        // A session in IdleHold back-off after an error: BFD Down cancels the pending restart.
        s.bfdUp();
        FakeConnection c = establish(s);
        c.closed = false;
        s.closed(c, "reset by peer");
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(time.nextDelay()).isGreaterThanOrEqualTo(0);
        s.bfdDown("Control Detection Time Expired");
        assertThat(time.nextDelay()).isEqualTo(-1);
        assertThat(s.status().lastError()).isEqualTo("BFD down: Control Detection Time Expired");
    }

    @Test
    void bfdDownInOpenSentSendsCeaseBfdDown() {
        PeerSession s = new PeerSession(ctx(), peer().build(), false);
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        s.bfdDown(null);
        assertThat(c.lastNotification()).isEqualTo("6/10");
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(s.status().lastError()).startsWith("BFD down (sent");
    }

    @Test
    void strictSessionDoesNotLeaveIdleBeforeBfdUp() {
        PeerSession s = new PeerSession(ctx(), peer().bfdStrict(true).build(), false);
        assertThat(s.bfdGated()).isTrue();
        s.start();
        time.advance(600_000);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(attempts).isEmpty();
        assertThat(s.status().lastError()).isEqualTo("BFD strict mode: waiting for BFD Up");
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        assertThat(in.lastNotification()).isEqualTo("6/5");
        assertThat(transitions).isEmpty();

        s.bfdUp();
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        establish(s);
    }

    @Test
    void strictPassiveSessionAcceptsThePeerOnlyAfterBfdUp() {
        PeerSession s = new PeerSession(ctx(), peer().passive(true).bfdStrict(true).build(), false);
        s.start();
        FakeConnection early = new FakeConnection(false, PEER);
        s.inbound(early);
        assertThat(early.lastNotification()).isEqualTo("6/5");
        s.bfdUp();
        assertThat(s.state()).isEqualTo(SessionState.ACTIVE);
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        assertThat(in.types()).containsExactly(MessageType.OPEN);
    }

    @Test
    void bfdUpDoesNotOverrideAnOperatorDisableAndIsIdempotent() {
        PeerSession s = new PeerSession(ctx(), peer().bfdStrict(true).build(), false);
        s.start();
        s.disable("maintenance");
        s.bfdUp();
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        s.bfdUp();
        s.enable();
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        // Operator enable does not open a BFD gate.
        s.bfdDown("Path Down");
        s.disable(null);
        s.enable();
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(s.bfdGated()).isTrue();
    }
}
