package io.gannet.pod.cni;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The framing between the plugin binary and the daemon, on a Unix stream socket:
 *
 * <pre>
 * request:  "gannet-cni 1\n" ("CNI_NAME=value\n")* "\n" stdin-bytes...   then the client shuts down writing
 * response: "exit-code\n" stdout-bytes...                                then the daemon closes
 * </pre>
 *
 * Only the CNI_* variables the spec defines are sent; values never contain a newline.
 */
public final class CniWire {
    public static final String MAGIC = "gannet-cni 1";
    /** A request larger than this (stdin plus environment) is refused. */
    public static final int MAX_REQUEST = 4 * 1024 * 1024;

    private CniWire() {}

    /** A decoded request: the environment and the stdin bytes. */
    public record Request(Map<String, String> env, byte[] stdin) {}

    public static Request read(InputStream in) throws IOException {
        byte[] all = in.readNBytes(MAX_REQUEST + 1);
        if (all.length > MAX_REQUEST) {
            throw new CniError(CniError.DECODE_FAILURE, "request larger than " + MAX_REQUEST + " bytes");
        }
        int p = 0;
        Map<String, String> env = new LinkedHashMap<>();
        boolean first = true;
        while (true) {
            int nl = indexOf(all, p, (byte) '\n');
            if (nl < 0) {
                throw new CniError(CniError.DECODE_FAILURE, "truncated request from the plugin (no blank line after the environment)");
            }
            String line = new String(all, p, nl - p, StandardCharsets.UTF_8);
            p = nl + 1;
            if (first) {
                if (!line.equals(MAGIC)) {
                    throw new CniError(CniError.INCOMPATIBLE_VERSION, "the plugin binary speaks '" + line
                            + "', the daemon '" + MAGIC + "': install the plugin that matches the daemon");
                }
                first = false;
                continue;
            }
            if (line.isEmpty()) {
                break;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new CniError(CniError.DECODE_FAILURE, "malformed environment line from the plugin: " + line);
            }
            env.put(line.substring(0, eq), line.substring(eq + 1));
        }
        byte[] stdin = new byte[all.length - p];
        System.arraycopy(all, p, stdin, 0, stdin.length);
        return new Request(env, stdin);
    }

    /** Encodes a request (tests and the Java client). */
    public static byte[] encode(Map<String, String> env, byte[] stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((MAGIC + "\n").getBytes(StandardCharsets.UTF_8));
        env.forEach((k, v) -> out.writeBytes((k + "=" + v + "\n").getBytes(StandardCharsets.UTF_8)));
        out.write('\n');
        out.writeBytes(stdin);
        return out.toByteArray();
    }

    public static byte[] response(int exitCode, String stdout) {
        return (exitCode + "\n" + stdout).getBytes(StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] b, int from, byte v) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == v) {
                return i;
            }
        }
        return -1;
    }
}
