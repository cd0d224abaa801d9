package io.gannet.l4lb.health;

import io.gannet.l4lb.model.HealthCheckSpec;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * UDP: sends the payload on a connected socket and is healthy when any datagram comes back
 * within the timeout; an ICMP port unreachable fails it at once. (A UDP service that never
 * answers cannot be checked this way: use an exec check.)
 */
final class UdpProbe implements Probe {
    @Override
    public ProbeResult run(String address, int port, HealthCheckSpec spec) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(new InetSocketAddress(address, port));
            s.setSoTimeout((int) spec.timeout().toMillis());
            byte[] out = spec.udpPayload().getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(out, out.length));
            byte[] in = new byte[512];
            s.receive(new DatagramPacket(in, in.length));
            return ProbeResult.OK;
        } catch (IOException e) {
            return ProbeResult.failed(Probe.reason(e));
        }
    }
}
