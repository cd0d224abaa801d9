package io.gannet.bgp.config;

import io.gannet.bgp.policy.Policy;
import io.gannet.bgp.wire.AddressFamily;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;

/**
 * One configured neighbor. Immutable; the speaker's configuration is replaced, never
 * mutated. Defaults live in {@link #builder}, the one home for them.
 *
 * @param name               unique within the speaker; the RIB keys a peer's routes by it, so
 *                           graceful-restart stale routes survive the session that carried them
 * @param address            the neighbor's address (IPv4 or IPv6)
 * @param remoteAs           the neighbor's AS
 * @param localAs            our AS towards this neighbor (the speaker's AS unless overridden)
 * @param localAddress       source address for the TCP connection, or null for the kernel's choice
 * @param port               the neighbor's TCP port (179; tests use unprivileged ports)
 * @param passive            never connect, only accept
 * @param holdTimeSeconds    proposed hold time (RFC 4271 4.2): 0 or at least 3
 * @param connectRetrySeconds ConnectRetryTimer (RFC 4271 10)
 * @param md5Password        RFC 2385 TCP MD5 key, or null; never logged
 * @param ttlSecurityHops    RFC 5082 GTSM: 0 = off, otherwise accept only TTL >= 256 - hops
 * @param multihopTtl        TTL of our packets for eBGP multihop (1 = directly connected)
 * @param families           address families to negotiate
 * @param routeReflectorClient iBGP peer is a route-reflector client (RFC 4456)
 * @param nextHopSelf        rewrite next hop to ourselves also towards iBGP peers
 * @param gracefulRestart    advertise RFC 4724 and keep a restarting peer's routes
 * @param gracefulRestartSeconds the restart time we advertise
 * @param extendedMessage    advertise RFC 8654
 * @param importPolicy       applied to routes received from this peer
 * @param exportPolicy       applied to routes sent to this peer
 * @param maxPrefixes        0 = unlimited; otherwise the action below applies when exceeded
 * @param maxPrefixAction    what exceeding {@code maxPrefixes} does
 * @param sendHoldTimeSeconds RFC 9687 send hold timer; 0 = derived (max(8 min, 2 x hold time))
 * @param bfdStrict          BFD strict mode (draft-ietf-idr-bgp-bfd-strict-mode): the session
 *                           starts gated in Idle and leaves it only once the BFD client reports
 *                           BFD Up ({@code BgpSpeaker.bfdUp}); off: BFD only tears an existing session down
 * @param delayOpenSeconds   RFC 4271 8.1.1 DelayOpen / DelayOpenTime: after the TCP connection
 *                           comes up, wait this long for the peer's OPEN before sending ours; 0 = off
 * @param keepReceived       keep what the peer sends before import policy (its pre-policy Adj-RIB-In,
 *                           4 bytes per prefix): {@code show routes --received|--rejected} and import
 *                           policy changes without a ROUTE-REFRESH, as FRR's {@code soft-reconfiguration
 *                           inbound} and BIRD's {@code import keep filtered}; off, a changed import
 *                           policy asks the peer to resend
 */
public record PeerConfig(
        String name,
        InetAddress address,
        long remoteAs,
        long localAs,
        InetAddress localAddress,
        int port,
        boolean passive,
        int holdTimeSeconds,
        int connectRetrySeconds,
        String md5Password,
        int ttlSecurityHops,
        int multihopTtl,
        Set<AddressFamily> families,
        boolean routeReflectorClient,
        boolean nextHopSelf,
        boolean gracefulRestart,
        int gracefulRestartSeconds,
        boolean extendedMessage,
        Policy importPolicy,
        Policy exportPolicy,
        long maxPrefixes,
        MaxPrefixAction maxPrefixAction,
        int sendHoldTimeSeconds,
        boolean bfdStrict,
        int delayOpenSeconds,
        boolean keepReceived) {

    public PeerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        families = Set.copyOf(families);
        Objects.requireNonNull(importPolicy, "importPolicy");
        Objects.requireNonNull(exportPolicy, "exportPolicy");
        if (holdTimeSeconds != 0 && holdTimeSeconds < 3) {
            throw new IllegalArgumentException("hold time must be 0 or at least 3 s (RFC 4271 4.2), got " + holdTimeSeconds);
        }
        if (delayOpenSeconds < 0 || delayOpenSeconds > 240) {
            throw new IllegalArgumentException("DelayOpenTime must be 0 (off) to 240 s, got " + delayOpenSeconds);
        }
    }

    /** The constructor without {@code keepReceived} (off). */
    public PeerConfig(String name, InetAddress address, long remoteAs, long localAs, InetAddress localAddress, int port,
                      boolean passive, int holdTimeSeconds, int connectRetrySeconds, String md5Password, int ttlSecurityHops,
                      int multihopTtl, Set<AddressFamily> families, boolean routeReflectorClient, boolean nextHopSelf,
                      boolean gracefulRestart, int gracefulRestartSeconds, boolean extendedMessage, Policy importPolicy,
                      Policy exportPolicy, long maxPrefixes, MaxPrefixAction maxPrefixAction, int sendHoldTimeSeconds,
                      boolean bfdStrict, int delayOpenSeconds) {
        this(name, address, remoteAs, localAs, localAddress, port, passive, holdTimeSeconds, connectRetrySeconds, md5Password,
                ttlSecurityHops, multihopTtl, families, routeReflectorClient, nextHopSelf, gracefulRestart,
                gracefulRestartSeconds, extendedMessage, importPolicy, exportPolicy, maxPrefixes, maxPrefixAction,
                sendHoldTimeSeconds, bfdStrict, delayOpenSeconds, false);
    }

    /** The constructor without {@code delayOpenSeconds} (off). */
    public PeerConfig(String name, InetAddress address, long remoteAs, long localAs, InetAddress localAddress, int port,
                      boolean passive, int holdTimeSeconds, int connectRetrySeconds, String md5Password, int ttlSecurityHops,
                      int multihopTtl, Set<AddressFamily> families, boolean routeReflectorClient, boolean nextHopSelf,
                      boolean gracefulRestart, int gracefulRestartSeconds, boolean extendedMessage, Policy importPolicy,
                      Policy exportPolicy, long maxPrefixes, MaxPrefixAction maxPrefixAction, int sendHoldTimeSeconds,
                      boolean bfdStrict) {
        this(name, address, remoteAs, localAs, localAddress, port, passive, holdTimeSeconds, connectRetrySeconds, md5Password,
                ttlSecurityHops, multihopTtl, families, routeReflectorClient, nextHopSelf, gracefulRestart,
                gracefulRestartSeconds, extendedMessage, importPolicy, exportPolicy, maxPrefixes, maxPrefixAction,
                sendHoldTimeSeconds, bfdStrict, 0);
    }

    /** What happens when a peer sends more prefixes than {@code maxPrefixes}. */
    public enum MaxPrefixAction {
        /** Log and count, keep the session (a warning only). */
        WARN,
        /** Cease / Maximum Number of Prefixes Reached (RFC 4486 subcode 1), then reconnect as usual. */
        RESTART,
        /** Drop the routes beyond the limit and keep the session. */
        DISCARD_EXTRA
    }

    @Override
    public String toString() {
        // The MD5 password never reaches a log line.
        return "PeerConfig[" + name + " " + address.getHostAddress() + " AS" + remoteAs + "]";
    }

    /** The constructor without {@code bfdStrict} (off), as before strict mode existed. */
    public PeerConfig(String name, InetAddress address, long remoteAs, long localAs, InetAddress localAddress, int port,
                      boolean passive, int holdTimeSeconds, int connectRetrySeconds, String md5Password, int ttlSecurityHops,
                      int multihopTtl, Set<AddressFamily> families, boolean routeReflectorClient, boolean nextHopSelf,
                      boolean gracefulRestart, int gracefulRestartSeconds, boolean extendedMessage, Policy importPolicy,
                      Policy exportPolicy, long maxPrefixes, MaxPrefixAction maxPrefixAction, int sendHoldTimeSeconds) {
        this(name, address, remoteAs, localAs, localAddress, port, passive, holdTimeSeconds, connectRetrySeconds, md5Password,
                ttlSecurityHops, multihopTtl, families, routeReflectorClient, nextHopSelf, gracefulRestart,
                gracefulRestartSeconds, extendedMessage, importPolicy, exportPolicy, maxPrefixes, maxPrefixAction,
                sendHoldTimeSeconds, false);
    }

    public static Builder builder(String name, InetAddress address, long remoteAs, long localAs) {
        return new Builder(name, address, remoteAs, localAs);
    }

    /** The one place peer defaults live. */
    public static final class Builder {
        private final String name;
        private final InetAddress address;
        private final long remoteAs;
        private final long localAs;
        private InetAddress localAddress;
        private int port = 179;
        private boolean passive;
        private int holdTimeSeconds = 90;
        private int connectRetrySeconds = 120;
        private String md5Password;
        private int ttlSecurityHops;
        private int multihopTtl = 1;
        private Set<AddressFamily> families = Set.of(AddressFamily.IPV4_UNICAST, AddressFamily.IPV6_UNICAST);
        private boolean routeReflectorClient;
        private boolean nextHopSelf;
        private boolean gracefulRestart;
        private int gracefulRestartSeconds = 120;
        private boolean extendedMessage; // RFC 8654 only when asked
        private Policy importPolicy = Policy.REJECT_ALL;
        private Policy exportPolicy = Policy.EXPORT_LOCAL_ONLY;
        private long maxPrefixes;
        private MaxPrefixAction maxPrefixAction = MaxPrefixAction.RESTART;
        private int sendHoldTimeSeconds;
        private boolean bfdStrict;
        private int delayOpenSeconds;
        private boolean keepReceived;

        private Builder(String name, InetAddress address, long remoteAs, long localAs) {
            this.name = name;
            this.address = address;
            this.remoteAs = remoteAs;
            this.localAs = localAs;
        }

        public Builder localAddress(InetAddress v) { localAddress = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder passive(boolean v) { passive = v; return this; }
        public Builder holdTimeSeconds(int v) { holdTimeSeconds = v; return this; }
        public Builder connectRetrySeconds(int v) { connectRetrySeconds = v; return this; }
        public Builder md5Password(String v) { md5Password = v; return this; }
        public Builder ttlSecurityHops(int v) { ttlSecurityHops = v; return this; }
        public Builder multihopTtl(int v) { multihopTtl = v; return this; }
        public Builder families(Set<AddressFamily> v) { families = v; return this; }
        public Builder routeReflectorClient(boolean v) { routeReflectorClient = v; return this; }
        public Builder nextHopSelf(boolean v) { nextHopSelf = v; return this; }
        public Builder gracefulRestart(boolean v) { gracefulRestart = v; return this; }
        public Builder gracefulRestartSeconds(int v) { gracefulRestartSeconds = v; return this; }
        public Builder extendedMessage(boolean v) { extendedMessage = v; return this; }
        public Builder importPolicy(Policy v) { importPolicy = v; return this; }
        public Builder exportPolicy(Policy v) { exportPolicy = v; return this; }
        public Builder maxPrefixes(long v, MaxPrefixAction action) { maxPrefixes = v; maxPrefixAction = action; return this; }
        public Builder sendHoldTimeSeconds(int v) { sendHoldTimeSeconds = v; return this; }
        public Builder bfdStrict(boolean v) { bfdStrict = v; return this; }
        /** RFC 4271 8.1.1 DelayOpen: wait this long for the peer's OPEN before sending ours; 0 = off. */
        public Builder delayOpenSeconds(int v) { delayOpenSeconds = v; return this; }
        /** Keep the pre-policy Adj-RIB-In (see {@link PeerConfig#keepReceived}). */
        public Builder keepReceived(boolean v) { keepReceived = v; return this; }

        public PeerConfig build() {
            return new PeerConfig(name, address, remoteAs, localAs, localAddress, port, passive, holdTimeSeconds,
                    connectRetrySeconds, md5Password, ttlSecurityHops, multihopTtl, families, routeReflectorClient,
                    nextHopSelf, gracefulRestart, gracefulRestartSeconds, extendedMessage, importPolicy, exportPolicy,
                    maxPrefixes, maxPrefixAction, sendHoldTimeSeconds, bfdStrict, delayOpenSeconds, keepReceived);
        }
    }
}
