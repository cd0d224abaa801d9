package io.gannet.bpf;

import io.gannet.bpf.libbpf.Netns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny TCP and UDP echo server living in a backend pod's namespace: sockets are created
 * on a thread that entered the namespace, then served by ordinary threads. Every reply is
 * "<name> <client address> <line>", so tests see which backend answered and that the
 * client address arrived unchanged (no SNAT).
 */
final class EchoServer implements AutoCloseable {
    private final String name;
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    EchoServer(String nsPath, String name, int tcpPort, int udpPort) {
        this.name = name;
        this.tcp = Netns.call(nsPath, () -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", tcpPort));
            return s;
        });
        this.udp = Netns.call(nsPath, () -> new DatagramSocket(new InetSocketAddress("0.0.0.0", udpPort)));
        Thread.ofPlatform().daemon().name("echo-tcp-" + name).start(this::acceptLoop);
        Thread.ofPlatform().daemon().name("echo-udp-" + name).start(this::udpLoop);
    }

    private void acceptLoop() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                accepted.add(s);
                Thread.ofPlatform().daemon().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            String line;
            while ((line = in.readLine()) != null) {
                out.write((name + " " + s.getInetAddress().getHostAddress() + " " + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException e) {
            // peer reset: fine for an echo server
        }
    }

    private void udpLoop() {
        byte[] buf = new byte[1500];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                String line = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                byte[] reply = (name + " " + p.getAddress().getHostAddress() + " " + line).getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        tcp.close();
        udp.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
