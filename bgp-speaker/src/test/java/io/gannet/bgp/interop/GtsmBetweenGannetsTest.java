package io.gannet.bgp.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.gannet.bgp.BgpSpeaker;
import io.gannet.bgp.SpeakerOptions;
import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.rib.Rib;
import io.gannet.bgp.session.SessionState;
import io.gannet.bgp.wire.AddressFamily;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 5082 between two Gannet speakers (a lab's Gannet leaf and its nodes): each end sets
 * IP_MINTTL 255 before it connects, so the SYN-ACK of the other end's listener must already
 * leave with TTL 255. It left with the kernel's 64, both connects hung in SYN-SENT and the
 * session never came up (BIRD and FRR set their minimum only once connected, which hid it).
 */
class GtsmBetweenGannetsTest {
    private static final InetAddress A = Gannet.addr("127.0.0.1");
    private static final InetAddress B = Gannet.addr("127.0.0.2");

    private static PeerConfig peer(String name, InetAddress address, int port, long remoteAs, long localAs, InetAddress local) {
        return PeerConfig.builder(name, address, remoteAs, localAs).port(port).localAddress(local).holdTimeSeconds(9)
                .connectRetrySeconds(1).ttlSecurityHops(1).families(Set.of(AddressFamily.IPV4_UNICAST))
                .importPolicy(Policy.ACCEPT_ALL).build();
    }

    @Test
    void twoGtsmEndsEstablish() {
        int portA = 17924;
        int portB = 17925;
        SpeakerConfig a = new SpeakerConfig(65001, 0x0A000001L, A, portA, 0, 1, List.of(peer("b", B, portB, 65002, 65001, A)), List.of());
        SpeakerConfig b = new SpeakerConfig(65002, 0x0A000002L, B, portB, 0, 1, List.of(peer("a", A, portA, 65001, 65002, B)), List.of());
        try (BgpSpeaker<Rib> sa = BgpSpeaker.start(a, Rib::new, SpeakerOptions.defaults());
             BgpSpeaker<Rib> sb = BgpSpeaker.start(b, Rib::new, SpeakerOptions.defaults())) {
            assertThat(ExternalDaemon.await(Duration.ofSeconds(15),
                    () -> sa.peer("b").state() == SessionState.ESTABLISHED && sb.peer("a").state() == SessionState.ESTABLISHED))
                    .as("a: %s, b: %s", sa.peer("b").state(), sb.peer("a").state()).isTrue();
        }
    }
}
