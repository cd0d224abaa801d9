package io.gannet.bgp.session;

/** The six states of the BGP FSM (RFC 4271 section 8.2.2). */
public enum SessionState {
    IDLE("Idle"),
    CONNECT("Connect"),
    ACTIVE("Active"),
    OPEN_SENT("OpenSent"),
    OPEN_CONFIRM("OpenConfirm"),
    ESTABLISHED("Established");

    private final String rfcName;

    SessionState(String rfcName) {
        this.rfcName = rfcName;
    }

    @Override
    public String toString() {
        return rfcName;
    }
}
