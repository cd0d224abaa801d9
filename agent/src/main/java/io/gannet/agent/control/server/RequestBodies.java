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

    /** {@code POST /v1/peers/{name}/enable} and {@code POST /v1/reload}: an empty object when a body is sent. */
    public record Empty() {}
}
