package io.gannet.bgp;

import io.gannet.bgp.config.SpeakerConfig;
import io.gannet.bgp.rib.PeerLink;
import io.gannet.bgp.rib.RouteProcessor;
import io.gannet.bgp.wire.AddressFamily;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal route processor for session and transport tests, standing in for the RIB: it
 * records what the session layer tells it (thread-safe, tests read it from their own
 * thread), and on Established sends a fixed set of hand-built UPDATEs followed by
 * End-of-RIB for each negotiated family, the order RFC 4724 asks the real RIB for.
 */
public final class RecordingRoutes implements RouteProcessor {
    public record Event(String kind, String peer, String detail) {}

    public final List<Event> events = new CopyOnWriteArrayList<>();
    public final List<byte[]> updates = new CopyOnWriteArrayList<>();
    public final Map<String, PeerLink> links = new ConcurrentHashMap<>();
    private final List<UpdateBuilder> announcements;

    public RecordingRoutes(List<UpdateBuilder> announcements) {
        this.announcements = List.copyOf(announcements);
    }

    public static RecordingRoutes factory(SpeakerConfig unused) {
        return new RecordingRoutes(List.of());
    }

    /** Encodes one UPDATE for a given established link (AS path width depends on the session). */
    @FunctionalInterface
    public interface UpdateBuilder {
        ByteBuf build(PeerLink link);
    }

    @Override
    public void peerEstablished(PeerLink peer) {
        links.put(peer.config().name(), peer);
        events.add(new Event("established", peer.config().name(), peer.negotiated().toString()));
        for (UpdateBuilder b : announcements) {
            peer.send(b.build(peer));
        }
        for (AddressFamily af : peer.negotiated().families()) {
            peer.send(Updates.endOfRib(peer.alloc(), af));
        }
        peer.flush();
    }

    @Override
    public void updateReceived(PeerLink peer, ByteBuf body) {
        updates.add(ByteBufUtil.getBytes(body));
        events.add(new Event("update", peer.config().name(), ByteBufUtil.hexDump(body)));
    }

    @Override
    public void routeRefreshReceived(PeerLink peer, int afi, int safi, int subtype) {
        events.add(new Event("refresh", peer.config().name(), afi + "/" + safi + "/" + subtype));
        for (UpdateBuilder b : announcements) {
            peer.send(b.build(peer));
        }
        peer.flush();
    }

    @Override
    public void peerDown(PeerLink peer, boolean retainStale) {
        links.remove(peer.config().name(), peer);
        events.add(new Event("down", peer.config().name(), "retainStale=" + retainStale));
    }

    @Override
    public void staleTimerExpired(PeerLink peer) {
        events.add(new Event("stale-expired", peer.config().name(), ""));
    }

    @Override
    public void peerWritable(PeerLink peer) {
        events.add(new Event("writable", peer.config().name(), ""));
    }

    /** Whether {@link #peerPolicyChanged} reports the change as applied to the live session. */
    public volatile boolean applyPolicyInPlace = true;

    @Override
    public boolean peerPolicyChanged(PeerLink peer, io.gannet.bgp.config.PeerConfig config) {
        events.add(new Event("policy", peer.config().name(), config.importPolicy().name()));
        return applyPolicyInPlace;
    }

    public long count(String kind, String peer) {
        return events.stream().filter(e -> e.kind().equals(kind) && e.peer().equals(peer)).count();
    }
}
