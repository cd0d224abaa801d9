package io.gannet.bgp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import org.junit.jupiter.api.Test;

/** A failed connect reads as the operator's reason, never as "null" (seen in the lab's Gannet core log). */
class ConnectErrorTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("10.1.2.100", 179);

    @Test
    void aMessageFromTheKernelIsKept() {
        assertThat(NettyTransport.connectError(new ConnectException("finishConnect(..) failed: Connection refused: /10.1.2.100:179"), PEER))
                .isEqualTo("finishConnect(..) failed: Connection refused: /10.1.2.100:179");
    }

    @Test
    void anExceptionWithoutAMessageSaysWhatItMeans() {
        assertThat(NettyTransport.connectError(new NoRouteToHostException(), PEER)).isEqualTo("no route to host: 10.1.2.100:179");
        assertThat(NettyTransport.connectError(new ConnectException("null: /10.1.2.100:179"), PEER))
                .isEqualTo("refused or unreachable: 10.1.2.100:179");
        assertThat(NettyTransport.connectError(new io.netty.channel.ConnectTimeoutException(), PEER)).isEqualTo("timed out: 10.1.2.100:179");
        assertThat(NettyTransport.connectError(null, PEER)).isEqualTo("cancelled");
    }
}
