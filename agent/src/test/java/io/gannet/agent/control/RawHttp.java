package io.gannet.agent.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Test helper: sends raw bytes over the Unix socket and parses the HTTP/1.1 responses by hand,
 * independent of netty, so the server is checked against the wire format and not against
 * its own codec.
 */
public final class RawHttp {
    private RawHttp() {}

    public record Response(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public static Response get(Path socket, String target) throws IOException {
        return exchange(socket, "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    }

    public static Response post(Path socket, String target, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return exchange(socket, "POST " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n" + json);
    }

    public static Response request(Path socket, String method, String target) throws IOException {
        return exchange(socket, method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }

    /** Sends {@code raw} and reads until the server closes; returns the first response. */
    public static Response exchange(Path socket, String raw) throws IOException {
        return parseAll(sendAndReadAll(socket, raw.getBytes(StandardCharsets.UTF_8)))[0];
    }

    public static byte[] sendAndReadAll(Path socket, byte[] raw) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(raw);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (ch.read(in) >= 0) {
                in.flip();
                all.write(in.array(), 0, in.limit());
                in.clear();
            }
            return all.toByteArray();
        }
    }

    /**
     * Sends {@code raw}, then half-closes (so the server sees the end of the request even when
     * {@code raw} is an unfinished one), and reads until the server closes.
     */
    public static byte[] sendHalfClosedAndReadAll(Path socket, byte[] raw) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(raw);
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ch.shutdownOutput();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(64 * 1024);
            while (ch.read(in) >= 0) {
                in.flip();
                all.write(in.array(), 0, in.limit());
                in.clear();
            }
            return all.toByteArray();
        }
    }

    /** Parses consecutive responses (each with Content-Length). */
    public static Response[] parseAll(byte[] bytes) {
        String s = new String(bytes, StandardCharsets.ISO_8859_1);
        java.util.List<Response> out = new java.util.ArrayList<>();
        int pos = 0;
        while (pos < s.length()) {
            int end = s.indexOf("\r\n\r\n", pos);
            if (end < 0) {
                throw new IllegalStateException("incomplete response: " + s.substring(pos));
            }
            String[] lines = s.substring(pos, end).split("\r\n");
            String[] status = lines[0].split(" ", 3);
            if (!status[0].equals("HTTP/1.1")) {
                throw new IllegalStateException("not an HTTP/1.1 status line: " + lines[0]);
            }
            Map<String, String> h = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                h.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
            int len = Integer.parseInt(h.get("content-length"));
            int bodyStart = end + 4;
            byte[] body = s.substring(bodyStart, bodyStart + len).getBytes(StandardCharsets.ISO_8859_1);
            out.add(new Response(Integer.parseInt(status[1]), h, new String(body, StandardCharsets.UTF_8)));
            pos = bodyStart + len;
        }
        return out.toArray(Response[]::new);
    }
}
