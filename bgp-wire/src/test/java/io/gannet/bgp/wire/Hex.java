package io.gannet.bgp.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Golden vectors are written as hex with spaces and "|" separators between fields. */
final class Hex {
    static final String MARKER = "ffffffffffffffffffffffffffffffff";

    private Hex() {}

    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replaceAll("[\\s|]", ""));
    }

    static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(bytes(hex));
    }

    static String hex(ByteBuf b) {
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    static String clean(String hex) {
        return hex.replaceAll("[\\s|]", "").toLowerCase();
    }
}
