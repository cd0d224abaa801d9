package io.gannet.l4lb.exabgp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the API over one byte stream pair: reads lines (LF or CRLF), answers each with its
 * ack. A line longer than {@link ExaApi#MAX_LINE} is refused as a whole and reading goes on
 * at the next newline; bytes that are not UTF-8 are refused by the parser. A last line
 * without a newline (the writer closed mid-line) is refused, never half-executed.
 */
final class LineChannel {
    private LineChannel() {}

    static void serve(InputStream raw, OutputStream out, ExaApi api, String source) throws IOException {
        InputStream in = new java.io.BufferedInputStream(raw);
        byte[] buf = new byte[ExaApi.MAX_LINE];
        int len = 0;
        boolean overlong = false;
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String ack;
                if (overlong) {
                    ack = api.refuse(source, "(over-long line)", "line longer than " + ExaApi.MAX_LINE + " bytes");
                } else {
                    int end = len > 0 && buf[len - 1] == '\r' ? len - 1 : len;
                    ack = api.handle(new String(buf, 0, end, StandardCharsets.UTF_8), source);
                }
                out.write((ack + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                len = 0;
                overlong = false;
            } else if (len < buf.length) {
                buf[len++] = (byte) b;
            } else {
                overlong = true;
            }
        }
        if (len > 0 || overlong) {
            api.refuse(source, new String(buf, 0, len, StandardCharsets.UTF_8), "half line: input ended before its newline");
            try {
                out.write((ExaApi.ERROR + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (IOException e) {
                // the writer is gone
            }
        }
    }
}
