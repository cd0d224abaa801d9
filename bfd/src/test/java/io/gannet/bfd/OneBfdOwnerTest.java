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
}
