package io.gannet.l4lb;

/** Where the L4LB reports state changes (one structured log line each, with a reason). */
public interface EventSink {
    void event(String action, String subject, String detail);
}
