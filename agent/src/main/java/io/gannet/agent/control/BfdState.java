package io.gannet.agent.control;

import com.fasterxml.jackson.annotation.JsonValue;

/** BFD session states of RFC 5880 section 4.1, plus {@link #NONE} when a peer runs no BFD. */
public enum BfdState {
    NONE("none"),
    ADMIN_DOWN("AdminDown"),
    DOWN("Down"),
    INIT("Init"),
    UP("Up");

    private final String text;

    BfdState(String text) {
        this.text = text;
    }

    @JsonValue
    @Override
    public String toString() {
        return text;
    }
}
