package io.gannet.bgp.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.RecordingRoutes;
import io.gannet.bgp.Updates;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.rib.PeerLink;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.Capability;
import io.gannet.bgp.wire.KeepaliveMessage;
import io.gannet.bgp.wire.MessageType;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.NotificationMessage;
import io.gannet.bgp.wire.OpenMessage;
import io.gannet.bgp.wire.RouteRefreshMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The FSM driven by hand: the test plays the peer and moves time. */
class PeerSessionTest {
    static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;
    static final InetAddress PEER = addr("192.0.2.2");
    static final long LOCAL_ID = 0x0A000001L;

    final ManualScheduler time = new ManualScheduler();
    final List<String> attempts = new ArrayList<>();
    final List<String> transitions = new ArrayList<>();
    final RecordingRoutes routes = new RecordingRoutes(List.of());
    int cancelledAttempts;

    SessionContext ctx(long restartingUntil) {
        Connector connector = (session, config) -> {
            attempts.add(config.address().getHostAddress());
            return () -> cancelledAttempts++;
        };
        return new SessionContext(time, connector, routes, (peer, from, to, reason) -> transitions.add(from + " -> " + to + " " + reason),
                new PeerIndexes(), new Jitter(new Random(7)), LOCAL_ID, restartingUntil, s -> {});
    }

    PeerConfig.Builder peer() {
        return PeerConfig.builder("p", PEER, 65002, 65001).holdTimeSeconds(90).connectRetrySeconds(10);
    }

    static ByteBuf open(long as, long id, int hold, Capability... caps) {
        int myAs = as > 0xFFFF ? OpenMessage.AS_TRANS : (int) as;
        List<Capability> all = new ArrayList<>(List.of(caps));
        all.add(new Capability.FourOctetAs(as));
        return new OpenMessage(4, myAs, hold, id, all).encode(ALLOC);
    }

    static ByteBuf ipv4Open(long as, long id, int hold) {
        return open(as, id, hold, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), new Capability.RouteRefresh());
    }

    static void deliver(PeerSession s, Connection c, ByteBuf frame) {
        try {
            s.message(c, frame);
        } finally {
            frame.release();
        }
    }

    /** Drives a fresh active session to Established over an outbound connection. */
    FakeConnection establish(PeerSession s, ByteBuf peerOpen) {
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        deliver(s, c, peerOpen);
        deliver(s, c, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        return c;
    }

    @Test
    void activePeerReachesEstablishedAndEveryTransitionIsReported() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        assertThat(attempts).containsExactly("192.0.2.2");
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        assertThat(c.types()).containsExactly(MessageType.OPEN);
        deliver(s, c, ipv4Open(65002, 0x0A000002L, 30));
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        assertThat(c.types()).containsExactly(MessageType.OPEN, MessageType.KEEPALIVE);
        deliver(s, c, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(routes.count("established", "p")).isEqualTo(1);
        Negotiated n = s.negotiated();
        assertThat(n.holdTimeSeconds()).isEqualTo(30); // min(90, 30)
        assertThat(n.fourOctetAs()).isTrue();
        assertThat(n.families()).containsExactly(AddressFamily.IPV4_UNICAST);
        assertThat(transitions).containsExactly(
                "Idle -> Connect start, connecting",
                "Connect -> OpenSent connected to 192.0.2.2, OPEN sent",
                "OpenSent -> OpenConfirm OPEN received: AS65002 id 10.0.0.2 hold 30s [ipv4-unicast]",
                "OpenConfirm -> Established KEEPALIVE received");
        PeerStatus st = s.status();
        assertThat(st.messagesIn().open()).isEqualTo(1);
        assertThat(st.messagesOut().keepalive()).isEqualTo(1);
        assertThat(st.transitions()).isEqualTo(4);
    }

    @Test
    void keepalivesAreJitteredBetweenThreeQuartersAndAllOfHoldOverThree() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 30));
        int before = c.sent.size();
        time.advance(7_499);
        assertThat(c.sent).hasSize(before); // nothing before 0.75 * 10 s
        time.advance(2_501);
        assertThat(c.types().subList(before, c.sent.size())).containsExactly(MessageType.KEEPALIVE);
    }

    @Test
    void holdTimerExpiryNotifiesAndGoesIdleThenRetries() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 30));
        // Peer KEEPALIVEs keep the session up...
        time.advance(20_000);
        deliver(s, c, KeepaliveMessage.encode(ALLOC));
        time.advance(20_000);
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        // ...their absence for the hold time ends it.
        time.advance(10_001);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(c.lastNotification()).isEqualTo("4/0");
        assertThat(c.closed).isTrue();
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=false"));
        // IdleHold back-off: first error waits 1 s, then Connect again.
        assertThat(time.nextDelay()).isEqualTo(999);
        time.advance(998);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        time.advance(1);
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        assertThat(s.status().flaps()).isEqualTo(1);
    }

    @Test
    void repeatedErrorsDoubleTheIdleHold() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        for (long expected : new long[] {1_000, 2_000, 4_000}) {
            FakeConnection c = new FakeConnection(true, PEER);
            s.connected(c);
            deliver(s, c, ipv4Open(65099, 0x0A000002L, 30)); // wrong AS every time
            assertThat(c.lastNotification()).isEqualTo("2/2");
            assertThat(s.state()).isEqualTo(SessionState.IDLE);
            assertThat(time.nextDelay()).isEqualTo(expected);
            time.advance(expected);
            assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        }
    }

    @Test
    void connectFailureGoesActiveAndConnectRetryTriesAgain() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        s.connectFailed("connection refused");
        assertThat(s.state()).isEqualTo(SessionState.ACTIVE);
        time.advance(10_000); // ConnectRetry 10 s, jittered down to at least 7.5 s
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        assertThat(attempts).hasSize(2);
    }

    @Test
    void passivePeerWaitsInActiveAndAcceptsInbound() {
        PeerSession s = new PeerSession(ctx(0), peer().passive(true).build(), false);
        s.start();
        assertThat(s.state()).isEqualTo(SessionState.ACTIVE);
        time.advance(600_000);
        assertThat(attempts).isEmpty();
        FakeConnection c = new FakeConnection(false, PEER);
        s.inbound(c);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
    }

    @Test
    void openErrorsGetTheRightNotification() {
        record Case(ByteBuf open, String expected, byte[] data) {}
        List<Case> cases = List.of(
                new Case(ipv4Open(65099, 0x0A000002L, 90), "2/2", new byte[0]),                    // bad peer AS
                new Case(ipv4Open(65002, 0, 90), "2/3", new byte[0]),                              // identifier 0
                new Case(ipv4Open(65002, 0x0A000002L, 2), "2/6", new byte[0]),                     // hold time 2
                new Case(ipv4Open(65002, 0x0A000002L, 1), "2/6", new byte[0]),                     // hold time 1
                new Case(open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV6_UNICAST)), "2/7",
                        new byte[] {1, 4, 0, 1, 0, 1}),                                           // no common family
                new Case(io.netty.buffer.Unpooled.wrappedBuffer(withVersion(3)), "2/1", new byte[] {0, 4}));
        for (Case k : cases) {
            PeerSession s = new PeerSession(ctx(0), peer().families(java.util.Set.of(AddressFamily.IPV4_UNICAST)).build(), false);
            s.start();
            FakeConnection c = new FakeConnection(true, PEER);
            s.connected(c);
            deliver(s, c, k.open());
            assertThat(c.lastNotification()).as(k.expected()).isEqualTo(k.expected());
            assertThat(c.lastNotificationData()).as(k.expected()).containsExactly(k.data());
            assertThat(s.state()).isEqualTo(SessionState.IDLE);
        }
        // iBGP peer with our own identifier.
        PeerSession s = new PeerSession(ctx(0), PeerConfig.builder("i", PEER, 65001, 65001).build(), false);
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        deliver(s, c, ipv4Open(65001, LOCAL_ID, 90));
        assertThat(c.lastNotification()).isEqualTo("2/3");
    }

    private static byte[] withVersion(int version) {
        ByteBuf b = ipv4Open(65002, 0x0A000002L, 90);
        b.setByte(19, version);
        byte[] out = io.netty.buffer.ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    @Test
    void unexpectedMessagesAreFsmErrorsWithTheStateSubcode() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        deliver(s, c, KeepaliveMessage.encode(ALLOC));
        assertThat(c.lastNotification()).isEqualTo("5/1");

        s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        c = new FakeConnection(true, PEER);
        s.connected(c);
        deliver(s, c, ipv4Open(65002, 0x0A000002L, 90));
        deliver(s, c, Updates.endOfRib(ALLOC, AddressFamily.IPV4_UNICAST));
        assertThat(c.lastNotification()).isEqualTo("5/2");

        s = new PeerSession(ctx(0), peer().build(), false);
        c = establish(s, ipv4Open(65002, 0x0A000002L, 90));
        deliver(s, c, ipv4Open(65002, 0x0A000002L, 90));
        assertThat(c.lastNotification()).isEqualTo("5/3");
    }

    @Test
    void updatesAndRefreshesReachTheRibAndARibResetEndsTheSession() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 90));
        deliver(s, c, Updates.endOfRib(ALLOC, AddressFamily.IPV4_UNICAST));
        assertThat(routes.updates).hasSize(1);
        assertThat(routes.updates.get(0)).containsExactly(0, 0, 0, 0); // body only, header stripped
        deliver(s, c, new RouteRefreshMessage(AddressFamily.IPV4_UNICAST, 0).encode(ALLOC));
        deliver(s, c, new RouteRefreshMessage(AddressFamily.IPV6_UNICAST, 0).encode(ALLOC)); // not negotiated: ignored
        assertThat(routes.count("refresh", "p")).isEqualTo(1);
        // The RIB finds an RFC 7606 session-reset error inside updateReceived.
        PeerLink link = routes.links.get("p");
        link.reset(3, 1, new byte[0]);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(c.lastNotification()).isEqualTo("3/1");
        assertThat(routes.count("down", "p")).isEqualTo(1);
        // The dead link drops what the RIB still sends.
        link.send(KeepaliveMessage.encode(ALLOC));
        assertThat(c.lastNotification()).isEqualTo("3/1");
    }

    @Test
    void badRouteRefreshLengthIsRouteRefreshError() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 90));
        ByteBuf bad = io.netty.buffer.Unpooled.buffer();
        int start = io.gannet.bgp.wire.MessageHeader.start(bad, MessageType.ROUTE_REFRESH);
        bad.writeInt(0x00010001).writeByte(0);
        io.gannet.bgp.wire.MessageHeader.finish(bad, start);
        deliver(s, c, bad);
        assertThat(c.lastNotification()).isEqualTo("7/1");
        assertThat(c.lastNotificationData()).hasSize(24);
    }

    @Test
    void gracefulRestartHelperKeepsRoutesUntilTheRestartTimer() {
        PeerSession s = new PeerSession(ctx(0), peer().gracefulRestart(true).build(), false);
        FakeConnection c = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.GracefulRestart(false, 60, List.of(new Capability.GracefulRestart.Family(AddressFamily.IPV4_UNICAST, true)))));
        s.closed(c, "reset by peer");
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=true"));
        time.advance(59_000);
        assertThat(routes.count("stale-expired", "p")).isZero();
        time.advance(1_000);
        assertThat(routes.count("stale-expired", "p")).isEqualTo(1);
    }

    @Test
    void restartingPeerReconnectingWhileEstablishedReplacesTheSession() {
        PeerSession s = new PeerSession(ctx(0), peer().gracefulRestart(true).build(), false);
        Capability gr = new Capability.GracefulRestart(false, 120, List.of(new Capability.GracefulRestart.Family(AddressFamily.IPV4_UNICAST, true)));
        FakeConnection old = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST), gr));
        FakeConnection fresh = new FakeConnection(false, PEER);
        s.inbound(fresh);
        assertThat(old.closed).isTrue();
        assertThat(old.types()).doesNotContain(MessageType.NOTIFICATION);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=true"));
        deliver(s, fresh, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.GracefulRestart(true, 120, List.of(new Capability.GracefulRestart.Family(AddressFamily.IPV4_UNICAST, true)))));
        deliver(s, fresh, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(s.negotiated().peerGracefulRestart().restartState()).isTrue();
        assertThat(routes.count("stale-expired", "p")).isZero();
    }

    @Test
    void notificationFromPeerFlushesRoutesEvenWithGracefulRestart() {
        PeerSession s = new PeerSession(ctx(0), peer().gracefulRestart(true).build(), false);
        FakeConnection c = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.GracefulRestart(false, 60, List.of())));
        deliver(s, c, NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_SHUTDOWN, "bye").encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(s.status().lastError()).contains("Administrative Shutdown \"bye\"");
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=false"));
        // A NOTIFICATION counts towards the back-off (RFC 4271 8.1.1 DampPeerOscillations).
        time.advance(999);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        time.advance(1);
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
    }

    static Capability grWithN() {
        return new Capability.GracefulRestart(false, true, 60,
                List.of(new Capability.GracefulRestart.Family(AddressFamily.IPV4_UNICAST, true)));
    }

    @Test
    void withTheNBitANotificationFromThePeerKeepsItsRoutesAsStale() {
        PeerSession s = new PeerSession(ctx(0), peer().gracefulRestart(true).build(), false);
        FakeConnection c = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                grWithN()));
        assertThat(s.negotiated().gracefulNotification()).isTrue();
        deliver(s, c, NotificationMessage.cease(NotificationMessage.CEASE_ADMIN_RESET, "maintenance").encode(ALLOC));
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=true")); // RFC 8538 4
        time.advance(60_000);
        assertThat(routes.count("stale-expired", "p")).isEqualTo(1);
    }

    @Test
    void withTheNBitAHardResetFromThePeerFlushesItsRoutes() {
        PeerSession s = new PeerSession(ctx(0), peer().gracefulRestart(true).build(), false);
        FakeConnection c = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                grWithN()));
        deliver(s, c, new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_HARD_RESET,
                new byte[] {6, 2}).encode(ALLOC));
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=false"));
    }

    @Test
    void withTheNBitWeSendHardResetForShutdownAndKeepRoutesForAnAdministrativeReset() {
        PeerSession s = new PeerSession(ctx(0), peer().gracefulRestart(true).build(), false);
        FakeConnection c = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                grWithN()));
        s.reset("soft");
        assertThat(c.lastNotification()).isEqualTo("6/4"); // Administrative Reset goes as it is
        assertThat(routes.events).anyMatch(e -> e.kind().equals("down") && e.detail().equals("retainStale=true"));

        PeerSession s2 = new PeerSession(ctx(0), PeerConfig.builder("q", PEER, 65002, 65001).holdTimeSeconds(90).gracefulRestart(true).build(), false);
        FakeConnection c2 = establish(s2, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                grWithN()));
        s2.disable("bye");
        assertThat(c2.lastNotification()).isEqualTo("6/9"); // RFC 8538 5: Administrative Shutdown -> Hard Reset
        assertThat(c2.lastNotificationData()[0]).isEqualTo((byte) 6);
        assertThat(c2.lastNotificationData()[1]).isEqualTo((byte) 2);
        assertThat(routes.events).anyMatch(e -> e.peer().equals("q") && e.kind().equals("down") && e.detail().equals("retainStale=false"));
    }

    @Test
    void ourOpenSetsTheNBitWithGracefulRestart() {
        OpenMessage ours = OpenNegotiation.ourOpen(peer().gracefulRestart(true).build(), LOCAL_ID, false);
        Capability.GracefulRestart gr = ours.capability(Capability.GracefulRestart.class);
        assertThat(gr.notification()).isTrue();
        ByteBuf b = ALLOC.buffer();
        gr.writeValue(b);
        assertThat(b.getUnsignedShort(0) & 0xF000).isEqualTo(0x4000); // R=0, N=1
        b.release();
        // Without the N bit on the peer's side, a NOTIFICATION still flushes (RFC 4724 alone).
        OpenMessage theirs = new OpenMessage(4, 65002, 90, 0x0A000002L, List.of(new Capability.GracefulRestart(false, 60, List.of())));
        assertThat(theirs.capability(Capability.GracefulRestart.class).notification()).isFalse();
    }

    @Test
    void delayOpenWaitsForThePeersOpenThenAnswersWithOpenAndKeepalive() {
        PeerSession s = new PeerSession(ctx(0), peer().delayOpenSeconds(5).build(), false);
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        assertThat(c.types()).isEmpty(); // RFC 4271 8.2.2: DelayOpenTimer runs, no OPEN yet
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
        time.advance(2_000);
        deliver(s, c, ipv4Open(65002, 0x0A000002L, 30));
        assertThat(c.types()).containsExactly(MessageType.OPEN, MessageType.KEEPALIVE);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        assertThat(transitions).last().asString().startsWith("Connect -> OpenConfirm DelayOpen: OPEN received");
        deliver(s, c, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        time.advance(10_000);
        assertThat(c.types().stream().filter(t -> t == MessageType.OPEN)).hasSize(1); // the timer was stopped
    }

    @Test
    void delayOpenSendsOurOpenWhenTheTimerExpires() {
        PeerSession s = new PeerSession(ctx(0), peer().passive(true).delayOpenSeconds(5).build(), false);
        s.start();
        assertThat(s.state()).isEqualTo(SessionState.ACTIVE);
        FakeConnection c = new FakeConnection(false, PEER);
        s.inbound(c);
        time.advance(4_999);
        assertThat(c.types()).isEmpty();
        time.advance(1);
        assertThat(c.types()).containsExactly(MessageType.OPEN);
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        assertThat(transitions).last().isEqualTo("Active -> OpenSent DelayOpen timer expired, OPEN sent");
        // Anything but OPEN or NOTIFICATION before the peer's OPEN is an FSM error.
        PeerSession s2 = new PeerSession(ctx(0), peer().delayOpenSeconds(5).build(), false);
        s2.start();
        FakeConnection c2 = new FakeConnection(true, PEER);
        s2.connected(c2);
        deliver(s2, c2, KeepaliveMessage.encode(ALLOC));
        assertThat(c2.lastNotification()).isEqualTo("5/0");
        assertThat(s2.state()).isEqualTo(SessionState.IDLE);
    }

    @Test
    void restartingSpeakerSetsTheRestartStateBit() {
        PeerSession s = new PeerSession(ctx(time.currentTimeMillis() + 120_000), peer().gracefulRestart(true).build(), false);
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        OpenMessage sent = decodeOpen(c.sent.get(0));
        Capability.GracefulRestart gr = sent.capability(Capability.GracefulRestart.class);
        assertThat(gr.restartState()).isTrue();
        assertThat(gr.families()).allMatch(Capability.GracefulRestart.Family::forwardingPreserved);
    }

    /**
     * A restart that kept the forwarding of one family only (an L4LB host whose pinned datapath
     * serves IPv4 VIPs): R set, F set for IPv4 unicast and clear for IPv6 unicast, so a peer keeps
     * the IPv4 routes until End-of-RIB and flushes the IPv6 ones at once (RFC 4724 4.2).
     */
    @Test
    void restartingSpeakerSetsTheForwardingBitOnlyForTheFamiliesItKept() {
        SessionContext base = ctx(time.currentTimeMillis() + 120_000);
        SessionContext ctx = new SessionContext(base.scheduler(), base.connector(), base.routes(), base.listener(), base.indexes(),
                base.jitter(), base.routerId(), base.restartingUntilMillis(), java.util.Set.of(AddressFamily.IPV4_UNICAST),
                base.dynamicIdle());
        PeerSession s = new PeerSession(ctx, peer().gracefulRestart(true)
                .families(java.util.Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST)).build(), false);
        s.start();
        FakeConnection c = new FakeConnection(true, PEER);
        s.connected(c);
        Capability.GracefulRestart gr = decodeOpen(c.sent.get(0)).capability(Capability.GracefulRestart.class);
        assertThat(gr.restartState()).isTrue();
        assertThat(gr.families()).extracting(f -> f.family() + " " + f.forwardingPreserved())
                .containsExactlyInAnyOrder("ipv4-unicast true", "ipv6-unicast false");
    }

    @Test
    void sendHoldTimerDropsAPeerThatDoesNotRead() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 90));
        c.writable = false;
        s.writabilityChanged(c);
        // The peer still sends KEEPALIVEs, so only the send hold timer can notice.
        for (int i = 0; i < 15; i++) {
            time.advance(30_000);
            deliver(s, c, KeepaliveMessage.encode(ALLOC));
        }
        time.advance(29_999);
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        time.advance(1); // 8 minutes = max(480 s, 2 x 90 s)
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        assertThat(c.lastNotification()).isEqualTo("8/0");
        assertThat(c.aborted).isTrue();
    }

    @Test
    void writableAgainCancelsSendHoldAndTellsTheRib() {
        PeerSession s = new PeerSession(ctx(0), peer().holdTimeSeconds(0).sendHoldTimeSeconds(5).build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 0));
        c.writable = false;
        s.writabilityChanged(c);
        time.advance(4_000);
        c.writable = true;
        s.writabilityChanged(c);
        assertThat(routes.count("writable", "p")).isEqualTo(1);
        time.advance(60_000);
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED); // hold 0: no hold timer either
    }

    @Test
    void collisionKeepsTheConnectionOfTheHigherIdentifier() {
        // Our id 10.0.0.1 < peer's 10.0.0.9: the peer's (inbound) connection survives.
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        FakeConnection out = new FakeConnection(true, PEER);
        s.connected(out);
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        assertThat(in.types()).containsExactly(MessageType.OPEN);
        deliver(s, in, ipv4Open(65002, 0x0A000009L, 90));
        assertThat(out.lastNotification()).isEqualTo("6/7");
        assertThat(out.closed).isTrue();
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        deliver(s, in, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
        assertThat(in.closed).isFalse();

        // Peer id 10.0.0.0/lower: our outbound connection survives, the inbound one is closed.
        PeerSession t = new PeerSession(ctx(0), peer().build(), false);
        t.start();
        FakeConnection out2 = new FakeConnection(true, PEER);
        t.connected(out2);
        FakeConnection in2 = new FakeConnection(false, PEER);
        t.inbound(in2);
        deliver(t, in2, ipv4Open(65002, 0x09000000L, 90));
        assertThat(in2.lastNotification()).isEqualTo("6/7");
        assertThat(t.state()).isEqualTo(SessionState.OPEN_SENT);
        assertThat(out2.closed).isFalse();
    }

    @Test
    void collisionSurvivesTheLosingConnectionClosingWhileItsCeaseIsWritten() {
        // Seen against FRR: both sides resolve the collision at once; FRR (higher id) closes our
        // outbound connection, so writing our Cease on it fails and reports the close at once.
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        FakeConnection out = new FakeConnection(true, PEER);
        s.connected(out);
        deliver(s, out, ipv4Open(65002, 0x0A000009L, 90));
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        out.onClose = () -> s.closed(out, "sendAddress(..) failed: Broken pipe");
        deliver(s, in, ipv4Open(65002, 0x0A000009L, 90));
        assertThat(out.closed).isTrue();
        assertThat(in.closed).isFalse();
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        deliver(s, in, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void whenOneConnectionOfACollisionClosesTheOtherCarriesTheSession() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        FakeConnection out = new FakeConnection(true, PEER);
        s.connected(out);
        deliver(s, out, ipv4Open(65002, 0x0A000009L, 90));
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        s.closed(out, "connection reset by peer");
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        assertThat(in.closed).isFalse();
        deliver(s, in, ipv4Open(65002, 0x0A000009L, 90));
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        deliver(s, in, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void aCollisionCeaseOnOurConnectionEndsOnlyThatConnection() {
        // Seen with a Gannet core and 1,000 listening nodes (lab scale): a node with its own
        // connection open answers ours with Cease / Connection Collision Resolution, at times
        // before its OPEN reaches us on its connection. The session carries on there.
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        s.start();
        FakeConnection out = new FakeConnection(true, PEER);
        s.connected(out);
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        deliver(s, out, new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_CONNECTION_COLLISION).encode(ALLOC));
        assertThat(out.closed).isTrue();
        assertThat(in.closed).isFalse();
        assertThat(s.state()).isEqualTo(SessionState.OPEN_SENT);
        deliver(s, in, ipv4Open(65002, 0x0A000009L, 90));
        assertThat(s.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        deliver(s, in, KeepaliveMessage.encode(ALLOC));
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);

        // The peer's connection not here yet (also from OpenConfirm): Active, no IdleHold, and
        // its connection is taken when it comes instead of being refused as by an Idle session.
        PeerSession t = new PeerSession(ctx(0), peer().build(), false);
        t.start();
        FakeConnection out2 = new FakeConnection(true, PEER);
        t.connected(out2);
        deliver(t, out2, ipv4Open(65002, 0x0A000009L, 90));
        assertThat(t.state()).isEqualTo(SessionState.OPEN_CONFIRM);
        deliver(t, out2, new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_CONNECTION_COLLISION).encode(ALLOC));
        assertThat(out2.closed).isTrue();
        assertThat(t.state()).isEqualTo(SessionState.ACTIVE);
        FakeConnection in2 = new FakeConnection(false, PEER);
        t.inbound(in2);
        assertThat(in2.closed).isFalse();
        assertThat(in2.types()).containsExactly(MessageType.OPEN);
        deliver(t, in2, ipv4Open(65002, 0x0A000009L, 90));
        deliver(t, in2, KeepaliveMessage.encode(ALLOC));
        assertThat(t.state()).isEqualTo(SessionState.ESTABLISHED);

        // Any other NOTIFICATION still ends the session.
        PeerSession u = new PeerSession(ctx(0), peer().build(), false);
        u.start();
        FakeConnection out3 = new FakeConnection(true, PEER);
        u.connected(out3);
        FakeConnection in3 = new FakeConnection(false, PEER);
        u.inbound(in3);
        deliver(u, out3, new NotificationMessage(NotificationMessage.CEASE, 4).encode(ALLOC));
        assertThat(u.state()).isEqualTo(SessionState.IDLE);
        assertThat(in3.closed).isTrue();
    }

    @Test
    void establishedSessionWithoutGracefulRestartRefusesASecondConnection() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        establish(s, ipv4Open(65002, 0x0A000002L, 90));
        FakeConnection extra = new FakeConnection(false, PEER);
        s.inbound(extra);
        assertThat(extra.lastNotification()).isEqualTo("6/7");
        assertThat(s.state()).isEqualTo(SessionState.ESTABLISHED);
    }

    @Test
    void adminDisableSendsShutdownCommunicationAndStaysDown() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 90));
        s.disable("going away");
        assertThat(c.lastNotification()).isEqualTo("6/2");
        byte[] data = c.lastNotificationData();
        assertThat(new String(data, 1, data[0])).isEqualTo("going away");
        time.advance(3_600_000);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
        FakeConnection in = new FakeConnection(false, PEER);
        s.inbound(in);
        assertThat(in.lastNotification()).isEqualTo("6/5");
        s.enable();
        assertThat(s.state()).isEqualTo(SessionState.CONNECT);
    }

    @Test
    void headerErrorsAreAnsweredWithTheirNotification() {
        PeerSession s = new PeerSession(ctx(0), peer().build(), false);
        FakeConnection c = establish(s, ipv4Open(65002, 0x0A000002L, 90));
        s.framingError(c, new io.gannet.bgp.wire.BgpError(1, 3, new byte[] {9}, "bad type"));
        assertThat(c.lastNotification()).isEqualTo("1/3");
        assertThat(c.lastNotificationData()).containsExactly(9);
        assertThat(s.state()).isEqualTo(SessionState.IDLE);
    }

    @Test
    void extendedMessageRaisesTheFrameLimit() {
        PeerSession s = new PeerSession(ctx(0), peer().extendedMessage(true).build(), false);
        FakeConnection c = establish(s, open(65002, 0x0A000002L, 90, new Capability.Multiprotocol(AddressFamily.IPV4_UNICAST),
                new Capability.ExtendedMessage()));
        assertThat(c.maxLength).isEqualTo(65535);
        assertThat(s.negotiated().extendedMessage()).isTrue();
    }

    @Test
    void passiveSessionTakesAPeerConnectionDuringIdleHoldButActiveOneRefuses() {
        PeerSession passive = new PeerSession(ctx(0), peer().passive(true).build(), false);
        passive.start();
        FakeConnection first = new FakeConnection(false, PEER);
        passive.inbound(first);
        passive.closed(first, "peer restarted");
        assertThat(passive.state()).isEqualTo(SessionState.ACTIVE); // OpenSent + TCP failure -> Active
        FakeConnection second = new FakeConnection(false, PEER);
        passive.inbound(second);
        deliver(passive, second, ipv4Open(65099, 0x0A000002L, 90)); // bad AS: Idle with back-off
        assertThat(passive.state()).isEqualTo(SessionState.IDLE);
        FakeConnection third = new FakeConnection(false, PEER);
        passive.inbound(third);
        assertThat(passive.state()).isEqualTo(SessionState.OPEN_SENT);

        PeerSession active = new PeerSession(ctx(0), peer().build(), false);
        active.start();
        FakeConnection out = new FakeConnection(true, PEER);
        active.connected(out);
        deliver(active, out, ipv4Open(65099, 0x0A000002L, 90));
        FakeConnection in = new FakeConnection(false, PEER);
        active.inbound(in);
        assertThat(in.lastNotification()).isEqualTo("6/5");
        assertThat(active.state()).isEqualTo(SessionState.IDLE);
    }

    private static OpenMessage decodeOpen(byte[] message) {
        try {
            return OpenMessage.decode(io.netty.buffer.Unpooled.wrappedBuffer(message, 19, message.length - 19));
        } catch (io.gannet.bgp.wire.BgpError e) {
            throw new AssertionError(e);
        }
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
