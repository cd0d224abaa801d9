package io.gannet.linux.netlink;

import java.nio.file.Path;

/**
 * rtnetlink in one namespace: {@link #routes}, {@link #links}, {@link #addresses}, {@link
 * #neighbours} over one {@link NetlinkSocket}. Opened here ({@link #open}) or inside another
 * namespace ({@link #openIn}); close it when done.
 */
public final class RtNetlink implements AutoCloseable {
    private final NetlinkSocket socket;
    private final Routes routes;
    private final Links links;
    private final Addresses addresses;
    private final Neighbours neighbours;

    private RtNetlink(NetlinkSocket socket) {
        this.socket = socket;
        this.routes = new Routes(socket);
        this.links = new Links(socket);
        this.addresses = new Addresses(socket);
        this.neighbours = new Neighbours(socket);
    }

    public static RtNetlink open() {
        return new RtNetlink(NetlinkSocket.open());
    }

    /**
     * Opens rtnetlink inside the namespace at {@code netns} ({@code /run/netns/NAME}, {@code
     * /proc/PID/ns/net}); null opens it in the caller's namespace.
     */
    public static RtNetlink openIn(Path netns) {
        return new RtNetlink(NetlinkSocket.openIn(netns));
    }

    public Routes routes() {
        return routes;
    }

    public Links links() {
        return links;
    }

    public Addresses addresses() {
        return addresses;
    }

    public Neighbours neighbours() {
        return neighbours;
    }

    @Override
    public void close() {
        socket.close();
    }
}
