package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.wire.Negotiated;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.bgp.wire.attr.UpdateDecoder;
import io.gannet.bgp.wire.attr.UpdateError;
import io.gannet.bgp.wire.attr.UpdateHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stand-in for one established session in RIB unit tests (the real session is tested against
 * BIRD/FRR/ExaBGP by the session layer): it captures what the RIB sends, decodes it like the
 * peer would, and keeps the peer's view of our routes.
 */
final class FakePeerLink implements PeerLink {
    final int index;
    /** The session's current configuration: a reload replaces it before telling the RIB, as the session does. */
    PeerConfig config;
    final Negotiated negotiated;
    final InetAddress remote;
    final InetAddress local;
    boolean writable = true;
    /** Leak-tracked by default; tests that send thousands of messages may pick an untracked one. */
    ByteBufAllocator allocator = UnpooledByteBufAllocator.DEFAULT;
    int flushes;
    final List<String> resets = new ArrayList<>();
    /** Every message received, decoded: "UPDATE n=..", "EoR 1/1", "RR subtype=1 2/1" ... */
    final List<String> log = new ArrayList<>();
    /** The peer's current view of our routes: prefix -> attributes. */
    final Map<String, PathAttributes> routes = new LinkedHashMap<>();
    int updates;
    /** Prefixes announced and withdrawn to the peer, over all UPDATEs. */
    int announced;
    int withdrawn;
    int maxMessage;
    private final AttributeInterner interner = new AttributeInterner();
    private final UpdateDecoder decoder = new UpdateDecoder(interner);

    FakePeerLink(int index, PeerConfig config, Negotiated negotiated, InetAddress local) {
        this.index = index;
        this.config = config;
        this.negotiated = negotiated;
        this.remote = config.address();
        this.local = local;
    }

    static Negotiated negotiated(long localAs, long remoteAs, long remoteRouterId, boolean fourOctet,
                                 Set<AddressFamily> families, boolean enhancedRefresh) {
        return new Negotiated(fourOctet, families, false, true, enhancedRefresh, null, 90, localAs, remoteAs,
                0x0a000000L, remoteRouterId);
    }

    @Override
    public int peerIndex() {
        return index;
    }

    @Override
    public PeerConfig config() {
        return config;
    }

    @Override
    public Negotiated negotiated() {
        return negotiated;
    }

    @Override
    public InetAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetAddress localAddress() {
        return local;
    }

    @Override
    public ByteBufAllocator alloc() {
        return allocator;
    }

    @Override
    public void send(ByteBuf m) {
        try {
            maxMessage = Math.max(maxMessage, m.readableBytes());
            if (m.getUnsignedShort(16) != m.readableBytes()) {
                throw new AssertionError("length field " + m.getUnsignedShort(16) + " != " + m.readableBytes());
            }
            int type = m.getUnsignedByte(18);
            if (type == 5) {
                log.add("RR subtype=" + m.getUnsignedByte(21) + " " + m.getUnsignedShort(19) + "/" + m.getUnsignedByte(22));
                return;
            }
            updates++;
            int[] counts = new int[2];
            UpdateError e = decoder.decode(m.slice(19, m.readableBytes() - 19), negotiated.fourOctetAs(),
                    negotiated.ibgp(), new UpdateHandler() {
                        @Override
                        public void withdraw4(int a, int l) {
                            routes.remove(Prefix.ipv4(a, l).toString());
                            counts[1]++;
                        }

                        @Override
                        public void announce4(int a, int l, PathAttributes attrs) {
                            routes.put(Prefix.ipv4(a, l).toString(), attrs);
                            counts[0]++;
                        }

                        @Override
                        public void withdraw6(long hi, long lo, int l) {
                            routes.remove(Prefix.ipv6(hi, lo, l).toString());
                            counts[1]++;
                        }

                        @Override
                        public void announce6(long hi, long lo, int l, PathAttributes attrs) {
                            routes.put(Prefix.ipv6(hi, lo, l).toString(), attrs);
                            counts[0]++;
                        }

                        @Override
                        public void endOfRib(int afi, int safi) {
                            log.add("EoR " + afi + "/" + safi);
                        }
                    });
            if (e != null) {
                throw new AssertionError("RIB sent a malformed UPDATE: " + e);
            }
            announced += counts[0];
            withdrawn += counts[1];
            if (counts[0] + counts[1] > 0) {
                log.add("UPDATE +" + counts[0] + " -" + counts[1]);
            }
        } finally {
            m.release();
        }
    }

    @Override
    public void flush() {
        flushes++;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void reset(int code, int subcode, byte[] data) {
        StringBuilder sb = new StringBuilder(code + "/" + subcode);
        for (byte b : data) {
            sb.append(String.format(" %02x", b));
        }
        resets.add(sb.toString());
    }

    PathAttributes route(String prefix) {
        return routes.get(prefix);
    }
}
