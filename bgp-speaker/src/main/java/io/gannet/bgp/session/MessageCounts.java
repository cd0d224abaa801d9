package io.gannet.bgp.session;

/** Messages of each type sent or received on a peer's sessions since the speaker started. */
public record MessageCounts(long open, long update, long notification, long keepalive, long routeRefresh) {
    public long total() {
        return open + update + notification + keepalive + routeRefresh;
    }
}
