package io.gannet.bfd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gannet.bfd.interop.TwoNamespaces;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Issue 9: a second BFD speaker in the same network namespace (a second gannet daemon) cannot
 * take UDP 3784 from the first: its start fails with the port, who holds it and what to do,
 * and the first service keeps its socket.
 */
class OneBfdOwnerTest {

    @Test
    void aSecondServiceInTheSameNamespaceIsRefusedWithTheHolder() throws Exception {
        Requirements.requireNetns();
        TwoNamespaces net = new TwoNamespaces("o");
        try (BfdService first = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()).withIpv6(false))) {
            assertThatThrownBy(() -> BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()).withIpv6(false)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("BFD port 3784/udp")
                    .hasMessageContaining("already in use")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageContaining("one BFD owner per host");
            assertThat(first).isNotNull();
        } finally {
            net.close();
        }
    }

    @Test
    void theMultihopPortAloneIsEnoughToRefuseASecondService() throws Exception {
        // RFC 5883's port: a speaker holding only 4784 (here a service whose single-hop port is
        // elsewhere) still makes a second service fail, before it holds anything.
        Requirements.requireNetns();
        TwoNamespaces net = new TwoNamespaces("m");
        try (BfdService first = BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()).withIpv6(false)
                .withPorts(13784, 4784))) {
            assertThatThrownBy(() -> BfdService.start(BfdServiceOptions.defaults().inNetworkNamespace(net.leftPath()).withIpv6(false)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("BFD port 4784/udp")
                    .hasMessageContaining("already in use")
                    .hasMessageContaining("one BFD owner per host");
            assertThat(first.sessions()).isEmpty();
        } finally {
            net.close();
        }
    }
}
