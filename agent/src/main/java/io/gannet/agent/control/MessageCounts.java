package io.gannet.agent.control;

/** BGP messages by type (RFC 4271 section 4.1 types 1-4, RFC 2918 type 5), in one direction. */
public record MessageCounts(long open, long update, long notification, long keepalive, long routeRefresh) {
    public static final MessageCounts ZERO = new MessageCounts(0, 0, 0, 0, 0);

    public long total() {
        return open + update + notification + keepalive + routeRefresh;
    }
}
