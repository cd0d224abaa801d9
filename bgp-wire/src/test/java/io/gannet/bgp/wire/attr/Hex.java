package io.gannet.bgp.wire.attr;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Golden vectors as commented hex: whitespace separates, {@code #} starts a comment to end of line. */
public final class Hex {
    private Hex() {
    }

    public static byte[] bytes(String commented) {
        StringBuilder sb = new StringBuilder();
        for (String line : commented.split("\n")) {
            int hash = line.indexOf('#');
            sb.append(hash >= 0 ? line.substring(0, hash) : line);
        }
        return ByteBufUtil.decodeHexDump(sb.toString().replaceAll("\\s+", ""));
    }

    public static ByteBuf buf(String commented) {
        return Unpooled.wrappedBuffer(bytes(commented));
    }

    public static String hex(ByteBuf b) {
        return ByteBufUtil.hexDump(b);
    }

    public static String hex(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }
}
