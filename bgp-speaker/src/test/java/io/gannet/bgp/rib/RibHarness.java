package io.gannet.bgp.rib;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.wire.AddressFamily;
import io.gannet.bgp.wire.attr.AttributeInterner;
import io.gannet.bgp.wire.attr.AttributeType;
import io.gannet.bgp.wire.attr.AttributesBuilder;
import io.gannet.bgp.wire.attr.PathAttributes;
import io.gannet.bgp.wire.attr.Prefix;
import io.gannet.bgp.wire.attr.UpdateWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** Builds a Rib with fake peers and feeds it UPDATEs made by our own (separately tested) encoder. */
final class RibHarness {
    static final long LOCAL_AS = 65000;
    static final long ROUTER_ID = 0x0a000000L; // 10.0.0.0
    final Rib rib;
    private int nextIndex;
    private final AttributeInterner interner = new AttributeInterner();

    RibHarness(int maxPaths) {
        this(maxPaths, LOCAL_AS, 0);
    }

    RibHarness(int maxPaths, long localAs, long clusterId) {
        rib = new Rib(new SpeakerConfig(localAs, ROUTER_ID, null, 0, clusterId, maxPaths, List.of(), List.of()));
        rib.deferExports(Runnable::run); // the production path (queued export), run at once
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A peer at {@code address} with AS {@code as}, accepting and exporting everything unless customised. */
    FakePeerLink peer(String name, String address, long as, Consumer<PeerConfig.Builder> custom) {
        return peer(name, address, as, true, Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST), false, custom);
    }

    FakePeerLink peer(String name, String address, long as, boolean fourOctet, Set<AddressFamily> families,
                      boolean enhancedRefresh, Consumer<PeerConfig.Builder> custom) {
        PeerConfig.Builder b = PeerConfig.builder(name, ip(address), as, LOCAL_AS)
                .importPolicy(Policy.ACCEPT_ALL).exportPolicy(Policy.ACCEPT_ALL);
        if (custom != null) {
            custom.accept(b);
        }
        PeerConfig c = b.build();
        InetAddress local = address.contains(":") ? ip("2001:db8:ffff::1") : ip("192.0.2.254");
        long routerId = Prefix.parse(address.contains(":") ? "10.9.9." + (nextIndex + 1) : address).hi();
        return new FakePeerLink(nextIndex++, c,
                FakePeerLink.negotiated(LOCAL_AS, as, routerId, fourOctet, families, enhancedRefresh), local);
    }

    FakePeerLink up(FakePeerLink link) {
        rib.peerEstablished(link);
        return link;
    }

    static AttributesBuilder attrs(long... asPath) {
        AttributesBuilder b = new AttributesBuilder().origin(AttributeType.ORIGIN_IGP);
        if (asPath.length == 0) {
            b.emptyAsPath();
        } else {
            b.appendSegment(AttributeType.AS_SEQUENCE, asPath);
        }
        return b.nextHop(0xc6336401); // 198.51.100.1
    }

    /** Sends an UPDATE announcing {@code prefixes} (all IPv4 or all IPv6) from {@code from}. */
    void announce(FakePeerLink from, AttributesBuilder b, String... prefixes) {
        boolean v6 = prefixes[0].contains(":");
        if (v6 && !b.has(PathAttributes.HAS_NEXT_HOP6)) {
            b.nextHop6(ip("2001:db8::99").getAddress());
        }
        PathAttributes a = interner.intern(b);
        UpdateWriter w = new UpdateWriter();
        int max = from.negotiated().maxMessageSize();
        for (String p : prefixes) {
            Prefix px = Prefix.parse(p);
            if (!w.active()) {
                start(w, v6, a, from, max);
            }
            if (!(v6 ? w.add6(px.hi(), px.lo(), px.length()) : w.add4(px.ipv4Bits(), px.length()))) {
                deliver(from, w.finish());
                start(w, v6, a, from, max);
                boolean ok = v6 ? w.add6(px.hi(), px.lo(), px.length()) : w.add4(px.ipv4Bits(), px.length());
                assert ok;
            }
        }
        deliver(from, w.finish());
    }

    private static void start(UpdateWriter w, boolean v6, PathAttributes a, FakePeerLink from, int max) {
        if (v6) {
            w.startAnnounce6(UnpooledByteBufAllocator.DEFAULT, max, a, from.negotiated().fourOctetAs());
        } else {
            w.startAnnounce4(UnpooledByteBufAllocator.DEFAULT, max, a, from.negotiated().fourOctetAs());
        }
    }

    void withdraw(FakePeerLink from, String... prefixes) {
        boolean v6 = prefixes[0].contains(":");
        UpdateWriter w = new UpdateWriter();
        if (v6) {
            w.startWithdraw6(UnpooledByteBufAllocator.DEFAULT, 4096);
        } else {
            w.startWithdraw4(UnpooledByteBufAllocator.DEFAULT, 4096);
        }
        for (String p : prefixes) {
            Prefix px = Prefix.parse(p);
            if (v6) {
                w.add6(px.hi(), px.lo(), px.length());
            } else {
                w.add4(px.ipv4Bits(), px.length());
            }
        }
        deliver(from, w.finish());
    }

    void endOfRib(FakePeerLink from, int afi) {
        deliver(from, UpdateWriter.endOfRib(UnpooledByteBufAllocator.DEFAULT, afi, 1));
    }

    /** Hands a whole message's body to the RIB, as the session layer does, then releases it. */
    void deliver(FakePeerLink from, ByteBuf message) {
        try {
            rib.updateReceived(from, message.slice(19, message.readableBytes() - 19));
        } finally {
            message.release();
        }
    }
}
