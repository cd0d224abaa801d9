package io.gannet.agent.control.server;

import io.gannet.agent.control.Announcement;
import io.gannet.agent.control.Community;
import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.DaemonControl;
import io.gannet.agent.control.IpLiteral;
import io.gannet.agent.control.IpPrefix;
import io.gannet.agent.control.LargeCommunity;
import io.gannet.agent.control.Origin;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The JSON bodies the POST endpoints accept, and their conversion to checked values. */
public final class RequestBodies {
    private RequestBodies() {}

    /** {@code POST /v1/peers/{name}/disable|reset}: an optional RFC 8203 shutdown communication. */
    public record PeerAction(String message) {
        /** The message after the RFC 9003 length check, or null. */
        public String checkedMessage() {
            if (message == null) {
                return null;
            }
            int octets = message.getBytes(StandardCharsets.UTF_8).length;
            if (octets > DaemonControl.MAX_SHUTDOWN_MESSAGE_OCTETS) {
                throw ControlException.badRequest("message is " + octets + " octets of UTF-8; RFC 9003 allows at most "
                        + DaemonControl.MAX_SHUTDOWN_MESSAGE_OCTETS);
            }
            return message;
        }
    }

    /** {@code POST /v1/announce}. */
    public record Announce(String prefix, String nextHop, String origin, Long med, Long localPref,
                           List<String> communities, List<String> largeCommunities, Boolean force, Boolean persist) {
        /** {@code force}: replace a route the profile originates; {@code persist}: keep it across restarts. */
        public boolean forced() {
            return Boolean.TRUE.equals(force);
        }

        public boolean persisted() {
            return Boolean.TRUE.equals(persist);
        }

        public Announcement toAnnouncement() {
            if (prefix == null) {
                throw ControlException.badRequest("field 'prefix' is required");
            }
            return new Announcement(
                    IpPrefix.parse(prefix),
                    nextHop == null ? null : IpLiteral.parse(nextHop, "nextHop"),
                    origin == null ? Origin.IGP : Origin.parse(origin),
                    med,
                    localPref,
                    communities == null ? List.of() : communities.stream().map(Community::parse).toList(),
                    largeCommunities == null ? List.of() : largeCommunities.stream().map(LargeCommunity::parse).toList());
        }
    }

    /** {@code POST /v1/withdraw}. */
    public record Withdraw(String prefix, Boolean force) {
        /** {@code force}: withdraw a route the profile originates (it comes back on reload or restart). */
        public boolean forced() {
            return Boolean.TRUE.equals(force);
        }

        public IpPrefix checkedPrefix() {
            if (prefix == null) {
                throw ControlException.badRequest("field 'prefix' is required");
            }
            return IpPrefix.parse(prefix);
        }
    }

    /** {@code POST /v1/peers/{name}/refresh}: {@code in} (ask the peer to resend) or {@code out} (send ours again). */
    public record Refresh(String direction) {
        public DaemonControl.RefreshDirection checkedDirection() {
            if ("in".equals(direction)) {
                return DaemonControl.RefreshDirection.IN;
            }
            if ("out".equals(direction)) {
                return DaemonControl.RefreshDirection.OUT;
            }
            throw ControlException.badRequest("field 'direction' must be \"in\" or \"out\""
                    + (direction == null ? "" : ", got '" + direction + "'"));
        }
    }

    /** {@code POST /v1/drain}: the grace period ("30s", "500ms"; default 30 s). */
    public record Drain(String grace) {
        public static final java.time.Duration DEFAULT_GRACE = java.time.Duration.ofSeconds(30);

        public java.time.Duration checkedGrace() {
            if (grace == null) {
                return DEFAULT_GRACE;
            }
            return parseGrace(grace);
        }

        /** "30s", "1.5s", "500ms", "2m": a duration from 0 to 1 hour. */
        public static java.time.Duration parseGrace(String text) {
            String g = text.trim().toLowerCase(java.util.Locale.ROOT);
            java.time.Duration d = null;
            try {
                if (g.endsWith("ms")) {
                    d = java.time.Duration.ofMillis(Long.parseLong(g.substring(0, g.length() - 2)));
                } else if (g.endsWith("s")) {
                    d = java.time.Duration.ofMillis(Math.round(Double.parseDouble(g.substring(0, g.length() - 1)) * 1000));
                } else if (g.endsWith("m")) {
                    d = java.time.Duration.ofMillis(Math.round(Double.parseDouble(g.substring(0, g.length() - 1)) * 60_000));
                }
            } catch (NumberFormatException e) {
                d = null;
            }
            if (d == null || d.isNegative() || d.compareTo(java.time.Duration.ofHours(1)) > 0) {
                throw ControlException.badRequest("grace '" + text + "' is not a duration from 0s to 1h like 30s or 500ms");
            }
            return d;
        }
    }

    /** {@code POST /v1/peers/{name}/enable} and {@code POST /v1/reload}: an empty object when a body is sent. */
    public record Empty() {}
}
