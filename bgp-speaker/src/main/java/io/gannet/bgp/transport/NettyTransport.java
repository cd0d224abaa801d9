package io.gannet.bgp.transport;

import io.gannet.bgp.config.PeerConfig;
import io.gannet.bgp.session.Connector;
import io.gannet.bgp.session.PeerSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP for BGP on netty's epoll transport, all on one event loop: the listener (with a
 * TCP MD5 key per configured peer, RFC 2385), accepted connections, and outbound connects
 * bound to {@link PeerConfig#localAddress}. Each socket gets TCP_NODELAY, the peer's MD5
 * key, its TTL (255 with GTSM, else the eBGP multihop TTL) and, with GTSM (RFC 5082), a
 * minimum accepted TTL of 256 - hops.
 *
 * <p>Pipeline: {@link BgpFrameDecoder} then {@link ChannelConnection}, which hands frames to
 * the session. Write buffer water marks drive backpressure: when a peer's socket fills, the
 * channel turns unwritable and the RIB pauses that peer until it drains.
 */
public final class NettyTransport implements Connector {
    private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
    /**
     * The exporter stops encoding for a peer above 256 KiB queued and resumes below 64 KiB: the
     * kernel's socket buffer holds more than that anyway, and every queued byte is a pooled direct
     * buffer in the daemon's RSS (at 1 MiB a peer, 1x1M's peak RSS was 5 MiB higher).
     */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    /**
     * Reads of up to 64 KiB (down to 1 KiB for a quiet session). Reads of up to 256 KiB held more
     * pool chunks while ten peers sent full tables at once, for no measurable gain in time.
     */
    private static final AdaptiveRecvByteBufAllocator RECV = new AdaptiveRecvByteBufAllocator(1024, 64 * 1024, 64 * 1024);

    /** Finds the session an accepted connection belongs to, or null to refuse it. */
    public interface Acceptor {
        PeerSession accept(InetAddress remote);
    }

    private final EventLoop loop;
    private final Acceptor acceptor;
    /** Listeners: one per address the speaker accepts connections on. */
    private final java.util.List<Channel> servers = new java.util.concurrent.CopyOnWriteArrayList<>();

    public NettyTransport(EventLoop loop, Acceptor acceptor) {
        this.loop = loop;
        this.acceptor = acceptor;
    }

    /** Starts binding a listener (one more, beside any already bound); the future completes once bound (or failed). */
    public ChannelFuture listen(InetAddress address, int port, Map<InetAddress, String> md5Keys) {
        InternetProtocolFamily family = address instanceof Inet4Address ? InternetProtocolFamily.IPv4 : InternetProtocolFamily.IPv6;
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(() -> new EpollServerSocketChannel(family))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Nothing is read before accepted() has given the connection its session: a busy
                // loop can run that task after the connection's first read, and the frames read
                // before had no session to go to (a peer's OPEN lost, its KEEPALIVE then an FSM
                // error: seen with 100 nodes reconnecting at once, gannet lab scale).
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECV)
                .childHandler(new ChannelInitializer<EpollSocketChannel>() {
                    @Override
                    protected void initChannel(EpollSocketChannel ch) {
                        BgpFrameDecoder decoder = new BgpFrameDecoder();
                        ChannelConnection conn = new ChannelConnection(false, decoder, null);
                        ch.pipeline().addLast(decoder, conn);
                        ch.eventLoop().execute(() -> accepted(ch, conn));
                    }
                });
        if (!md5Keys.isEmpty()) {
            b.option(EpollChannelOption.TCP_MD5SIG, keyBytes(md5Keys));
        }
        ChannelFuture f = b.bind(address, port);
        servers.add(f.channel());
        f.addListener(done -> {
            if (done.isSuccess()) {
                // The kernel answers a SYN with the listener's TTL, before the connection is
                // ours to configure: a GTSM peer (RFC 5082, IP_MINTTL 255) drops a SYN-ACK with
                // the default 64, so a session it opens would never come up. Each accepted
                // connection then gets its own peer's TTL and minimum (applyTtl).
                SocketOptions.setTtl(f.channel(), 255);
                log.info("listening on {}", f.channel().localAddress());
            } else {
                log.error("cannot listen on {} port {}: {}", address, port, done.cause().toString());
            }
        });
        return f;
    }

    /** Replaces the listener's MD5 keys (configuration change). Event loop. */
    public void md5Keys(Map<InetAddress, String> md5Keys) {
        for (Channel server : servers) {
            server.config().setOption(EpollChannelOption.TCP_MD5SIG, keyBytes(md5Keys));
        }
    }

    private void accepted(EpollSocketChannel ch, ChannelConnection conn) {
        if (!ch.isActive()) {
            return; // closed by the peer before it was ours
        }
        InetAddress remote = ch.remoteAddress().getAddress();
        PeerSession session = acceptor.accept(remote);
        if (session == null) {
            log.info("refusing connection from unknown peer {}", remote.getHostAddress());
            conn.refuse();
            return;
        }
        applyTtl(ch, session.config());
        conn.attach(session);
        session.inbound(conn);
        ch.config().setAutoRead(true);
    }

    @Override
    public Attempt connect(PeerSession session, PeerConfig config) {
        InternetProtocolFamily family = config.address() instanceof Inet4Address ? InternetProtocolFamily.IPv4 : InternetProtocolFamily.IPv6;
        BgpFrameDecoder decoder = new BgpFrameDecoder();
        ChannelConnection conn = new ChannelConnection(true, decoder, session);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(() -> new EpollSocketChannel(family))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.min(CONNECT_TIMEOUT_MILLIS, Math.max(1000, config.connectRetrySeconds() * 1000)))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.RCVBUF_ALLOCATOR, RECV)
                .handler(new ChannelInitializer<EpollSocketChannel>() {
                    @Override
                    protected void initChannel(EpollSocketChannel ch) {
                        applyTtl(ch, config);
                        ch.pipeline().addLast(decoder, conn);
                    }
                });
        if (config.md5Password() != null) {
            b.option(EpollChannelOption.TCP_MD5SIG, keyBytes(Map.of(config.address(), config.md5Password())));
        }
        InetSocketAddress remote = new InetSocketAddress(config.address(), config.port());
        ChannelFuture f = config.localAddress() != null
                ? b.connect(remote, new InetSocketAddress(config.localAddress(), 0))
                : b.connect(remote);
        boolean[] cancelled = {false};
        f.addListener(done -> {
            if (cancelled[0]) {
                f.channel().close();
            } else if (done.isSuccess()) {
                session.connected(conn);
            } else {
                f.channel().close();
                Throwable cause = done.cause();
                session.connectFailed(connectError(cause, remote));
            }
        });
        return () -> {
            cancelled[0] = true;
            f.channel().close();
        };
    }

    /** RFC 5082 and eBGP multihop: our TTL and the lowest TTL we accept. */
    private static void applyTtl(EpollSocketChannel ch, PeerConfig config) {
        if (config.ttlSecurityHops() > 0) {
            SocketOptions.setTtl(ch, 255);
            SocketOptions.setMinTtl(ch, 256 - config.ttlSecurityHops());
        } else if (config.remoteAs() != 0 && config.remoteAs() != config.localAs()) {
            SocketOptions.setTtl(ch, Math.max(1, Math.min(255, config.multihopTtl())));
        }
    }

    private static Map<InetAddress, byte[]> keyBytes(Map<InetAddress, String> keys) {
        Map<InetAddress, byte[]> out = new HashMap<>();
        keys.forEach((a, k) -> out.put(a, k.getBytes(StandardCharsets.US_ASCII)));
        return out;
    }

    /** Closes every listener. Event loop or any thread. */
    public void closeListener() {
        for (Channel server : servers) {
            server.close();
        }
        servers.clear();
    }

    /**
     * Why a connect failed, in the operator's terms: the kernel's reason when the exception
     * carries one, else what its kind means (some native connect errors come without a message).
     */
    static String connectError(Throwable cause, InetSocketAddress remote) {
        if (cause == null) {
            return "cancelled";
        }
        String m = cause.getMessage();
        if (m != null && !m.isBlank() && !m.startsWith("null")) {
            return m;
        }
        String what = switch (cause) {
            case io.netty.channel.ConnectTimeoutException t -> "timed out";
            case java.net.NoRouteToHostException n -> "no route to host";
            case java.net.ConnectException c -> "refused or unreachable";
            default -> "failed";
        };
        return what + ": " + remote.getAddress().getHostAddress() + ":" + remote.getPort();
    }
}
