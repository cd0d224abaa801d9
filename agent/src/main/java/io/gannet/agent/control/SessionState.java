package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;

/** The BGP session FSM states of RFC 4271 section 8.2.2, named as the RFC names them. */
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

    @JsonValue
    @Override
    public String toString() {
        return rfcName;
    }
}
