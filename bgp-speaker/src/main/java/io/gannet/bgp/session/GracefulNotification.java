package io.gannet.bgp.session;

import io.gannet.bgp.wire.NotificationMessage;

/**
 * RFC 8538 (graceful restart for NOTIFICATION messages): which NOTIFICATIONs end a session
 * with its routes (Cease / Hard Reset) and which keep them as stale, as a TCP failure does.
 * Pure.
 *
 * <p>Section 5 lists, per Cease subcode, whether a speaker sends Hard Reset. We send Hard
 * Reset for Maximum Number of Prefixes Reached, Administrative Shutdown and Peer
 * De-configured: the operator or the limit wants the routes gone. Administrative Reset
 * (`gannet peer reset`), Other Configuration Change, Out of Resources, BFD Down and every
 * error NOTIFICATION keep the routes through the restart.
 */
public final class GracefulNotification {
    private GracefulNotification() {}

    /** Cease with subcode Hard Reset (RFC 8538 3). */
    public static boolean isHardReset(NotificationMessage n) {
        return n.code() == NotificationMessage.CEASE && n.subcode() == NotificationMessage.CEASE_HARD_RESET;
    }

    /**
     * The Hard Reset to send instead of {@code n}, or null when {@code n} goes as it is and the
     * routes are kept. RFC 8538 3: the data carries the original code, subcode and data.
     */
    public static NotificationMessage hardResetFor(NotificationMessage n) {
        if (isHardReset(n)) {
            return n;
        }
        if (n.code() != NotificationMessage.CEASE) {
            return null;
        }
        return switch (n.subcode()) {
            case NotificationMessage.CEASE_MAX_PREFIXES, NotificationMessage.CEASE_ADMIN_SHUTDOWN,
                 NotificationMessage.CEASE_PEER_DECONFIGURED -> {
                byte[] data = n.data();
                byte[] wrapped = new byte[2 + data.length];
                wrapped[0] = (byte) n.code();
                wrapped[1] = (byte) n.subcode();
                System.arraycopy(data, 0, wrapped, 2, data.length);
                yield new NotificationMessage(NotificationMessage.CEASE, NotificationMessage.CEASE_HARD_RESET, wrapped);
            }
            default -> null;
        };
    }
}
