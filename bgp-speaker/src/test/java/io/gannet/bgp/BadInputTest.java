package io.gannet.bgp;

import static io.gannet.bgp.interop.InteropAccess.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.interop.InteropAccess;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.session.PeerStatus;
import io.gannet.bgp.session.SessionState;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.testsupport.Requirements;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Garbage at a live speaker: hand-picked bad messages with the NOTIFICATION each must get,
 * then randomly mutated UPDATEs and random byte streams. Meanwhile a real BIRD session stays
 * Established and untouched. Bad peers connect from 127.0.1.x, accepted through a
 * dynamic-neighbor range so every attempt gets a fresh session (no IdleHold back-off).
 */
class BadInputTest {
    static final InetAddress GANNET = addr("127.0.0.1");
    static final int PORT = 17940;
    static final int BIRD_PORT = 17941;
    static final HexFormat HEX = HexFormat.of();
    static final String MARKER = "ffffffffffffffffffffffffffffffff";
    int nextClient = 1;

    RawPeer client() throws Exception {
        int host = nextClient++ % 250 + 1;
        return new RawPeer(addr("127.0.1." + host), GANNET, PORT);
    }

    static byte[] hex(String s) {
        return HEX.parseHex(s.replaceAll("[\\s|]", ""));
    }

    static byte[] message(int type, String bodyHex) {
        byte[] body = hex(bodyHex);
        int len = 19 + body.length;
        return hex(MARKER + String.format("%04x%02x", len, type) + HEX.formatHex(body));
    }

    /** Pre-OPEN: bytes sent right after the speaker's OPEN, and the NOTIFICATION expected. */
    record Case(String name, byte[] bytes, String expected, String data) {}

    /** The bytes of a message built for the test; the buffer is released (the module's tests fail on leaks). */
    private static byte[] released(io.netty.buffer.ByteBuf b) {
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void garbageNeverKillsTheSpeakerAndEachBadSessionGetsTheRightNotification() throws Exception {
        Requirements.requireCommand("bird");
        String birdConf = """
                router id 10.0.0.2;
                protocol device {}
                protocol bgp gannet {
                  local 127.0.0.2 port %d as 65002;
                  neighbor 127.0.0.1 port %d as 65001;
                  multihop;
                  hold time 6;
                  connect retry time 1;
                  ipv4 { import all; export none; };
                }
                """.formatted(BIRD_PORT, PORT);
        PeerConfig bird = PeerConfig.builder("bird", addr("127.0.0.2"), 65002, 65001).port(BIRD_PORT).localAddress(GANNET)
                .holdTimeSeconds(6).connectRetrySeconds(1).families(java.util.Set.of(AddressFamily.IPV4_UNICAST)).build();
        PeerConfig template = PeerConfig.builder("bad", addr("0.0.0.0"), 65005, 65001).holdTimeSeconds(0)
                .families(java.util.Set.of(AddressFamily.IPV4_UNICAST)).importPolicy(Policy.ACCEPT_ALL).build();
        SpeakerConfig config = new SpeakerConfig(65001, 0x0A000001L, GANNET, PORT, 0, 1, List.of(bird),
                List.of(new SpeakerConfig.DynamicNeighborRange(addr("127.0.1.0"), 24, template, 0)));
        try (var birdd = InteropAccess.bird(birdConf);
             BgpSpeaker<Rib> speaker = BgpSpeaker.start(config, Rib::new, SpeakerOptions.defaults())) {
            assertThat(await(Duration.ofSeconds(20), () -> speaker.peer("bird").state() == SessionState.ESTABLISHED)).isTrue();

            String open = HEX.formatHex(released(RawPeer.open(65005, 0x0A090001L, 0)).clone());
            String openBody = open.substring(38);
            List<Case> preOpen = List.of(
                    new Case("marker not all ones", hex("ffffffffffffffffffffffffffff0000 0013 04"), "1/1", ""),
                    new Case("length below 19", hex(MARKER + "0012 04"), "1/2", "0012"),
                    new Case("length above 4096", hex(MARKER + "1388 02"), "1/2", "1388"),
                    new Case("unknown type", hex(MARKER + "0013 09"), "1/3", "09"),
                    new Case("KEEPALIVE too long", message(4, "00"), "1/2", "0014"),
                    new Case("OPEN version 3", message(1, "03" + openBody.substring(2)), "2/1", "0004"),
                    new Case("hold time 2", message(1, openBody.substring(0, 6) + "0002" + openBody.substring(10)), "2/6", ""),
                    new Case("identifier 0", message(1, openBody.substring(0, 10) + "00000000" + openBody.substring(18)), "2/3", ""),
                    new Case("wrong AS", released(RawPeer.open(65099, 0x0A090001L, 0)), "2/2", ""),
                    new Case("optional parameter type 1", message(1, "04 fded 0000 0a090001 03 010100"), "2/4", ""),
                    new Case("no common family", message(1, "04 fded 0000 0a090001 08 0206 010400020001"), "2/7", "010400010001"),
                    new Case("KEEPALIVE in OpenSent", message(4, ""), "5/1", ""),
                    new Case("UPDATE in OpenSent", message(2, "00000000"), "5/1", ""));
            for (Case c : preOpen) {
                try (RawPeer p = client()) {
                    assertThat(p.read().type()).as(c.name()).isEqualTo(1);
                    p.send(c.bytes());
                    RawPeer.Message n = p.readNotification();
                    assertThat(n).as(c.name()).isNotNull();
                    assertThat(n.notification()).as(c.name()).isEqualTo(c.expected());
                    if (!c.data().isEmpty()) {
                        assertThat(HEX.formatHex(n.body()).substring(4)).as(c.name()).isEqualTo(c.data());
                    }
                    assertThat(p.closedByPeer()).as(c.name()).isTrue();
                }
            }

            List<Case> established = List.of(
                    new Case("withdrawn length overruns the UPDATE", message(2, "00ff0000"), "3/1", ""),
                    new Case("ROUTE-REFRESH of 24 bytes", message(5, "0001000100"), "7/1", ""),
                    new Case("OPEN in Established", released(RawPeer.open(65005, 0x0A090001L, 0)), "5/3", ""),
                    new Case("NOTIFICATION length 20", hex(MARKER + "0014 03 06"), "1/2", "0014"),
                    new Case("length above 4096 without extended message", hex(MARKER + "1001 02"), "1/2", "1001"));
            for (Case c : established) {
                try (RawPeer p = client()) {
                    p.establish(65005, 0x0A090001L, 0);
                    p.send(c.bytes());
                    RawPeer.Message n = p.readNotification();
                    assertThat(n).as(c.name()).isNotNull();
                    assertThat(n.notification()).as(c.name()).isEqualTo(c.expected());
                    if (!c.data().isEmpty()) {
                        assertThat(HEX.formatHex(n.body()).substring(4)).as(c.name()).isEqualTo(c.data());
                    }
                }
            }

            // RFC 7606 7.1: a bad ORIGIN value is treat-as-withdraw; the session stays up, as the
            // probe (an unknown message type, answered 1/3) shows.
            try (RawPeer p = client()) {
                p.establish(65005, 0x0A090001L, 0);
                p.send(message(2, "0000 0014 40010105 40020602010000fded 400304c6336401 18cb0071"));
                p.send(hex(MARKER + "0013 09"));
                assertThat(p.readNotification().notification()).isEqualTo("1/3");
            }

            // Mutated UPDATEs: each either is an UPDATE error (code 3) or leaves the session up.
            Random random = new Random(42);
            byte[] valid = hex("0000 001b 40010100 40020602010000fded 400304c6336401 80040400000064 18cb0071 10c633");
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                byte[] body = valid.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    body[random.nextInt(body.length)] = (byte) random.nextInt(256);
                }
                try (RawPeer p = client()) {
                    p.establish(65005, 0x0A090001L, 0);
                    p.send(message(2, HEX.formatHex(body)));
                    p.send(hex(MARKER + "0013 09"));
                    RawPeer.Message n = p.readNotification();
                    assertThat(n).as(HEX.formatHex(body)).isNotNull();
                    String code = n.notification();
                    assertThat(code.startsWith("3/") || code.equals("1/3")).as(HEX.formatHex(body) + " -> " + code).isTrue();
                    outcomes.add(code);
                }
            }
            assertThat(outcomes).contains("1/3"); // some mutations are survivable...
            assertThat(outcomes).anyMatch(o -> o.startsWith("3/")); // ...and some are not

            // Random byte streams instead of an OPEN: header errors, OPEN errors or FSM errors, never a crash.
            for (int i = 0; i < 40; i++) {
                byte[] junk = new byte[19 + random.nextInt(80)];
                random.nextBytes(junk);
                if (i % 2 == 0) {
                    System.arraycopy(hex(MARKER), 0, junk, 0, 16); // valid marker, random length and type
                }
                try (RawPeer p = client()) {
                    p.read();
                    p.send(junk);
                    RawPeer.Message n = p.readNotification();
                    if (n != null) {
                        assertThat(n.notification()).matches("[125]/\\d+");
                    }
                }
            }

            // The speaker is alive and the BIRD session never noticed: its KEEPALIVEs keep arriving.
            long keepalives = speaker.peer("bird").messagesIn().keepalive();
            assertThat(await(Duration.ofSeconds(5), () -> speaker.peer("bird").messagesIn().keepalive() > keepalives)).isTrue();
            PeerStatus b = speaker.peer("bird");
            assertThat(b.state()).isEqualTo(SessionState.ESTABLISHED);
            assertThat(b.flaps()).isZero();
            assertThat(b.messagesIn().notification()).isZero();
            assertThat(birdd.established("gannet")).isTrue();
            assertThat(await(Duration.ofSeconds(10), () -> speaker.peers().size() == 1)).as("dynamic sessions forgotten").isTrue();
        }
    }

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
