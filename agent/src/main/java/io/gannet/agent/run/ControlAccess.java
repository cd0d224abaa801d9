package io.gannet.agent.run;

import io.gannet.agent.control.server.ControlServerConfig;
import io.gannet.agent.control.server.ControlTokens;
import java.nio.file.Path;

/**
 * Who may use the control API beyond root: the bearer tokens of the TCP port ({@code
 * --control-tokens}) and the group of the Unix socket ({@code --control-group}). Read and
 * checked by {@code gannet run} before anything starts, so a bad token file or an unknown group
 * refuses the start before any BGP session comes up.
 *
 * @param tokens      the TCP port's tokens, or null when there is no TCP port
 * @param socketGroup the socket file's group, or null for the daemon's own
 */
record ControlAccess(ControlTokens tokens, String socketGroup) {
    static final ControlAccess NONE = new ControlAccess(null, null);

    /**
     * Reads the token file when there is a TCP port (one is required then); throws with the
     * operator's message when it is missing, readable by others or malformed.
     */
    static ControlAccess read(boolean tcpPort, Path tokensFile, String socketGroup) {
        if (socketGroup != null) {
            // Checked here, before any session starts, not first when the socket is created.
            try {
                java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(socketGroup);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--control-group: no group named '" + socketGroup + "' on this host");
            }
        }
        if (!tcpPort) {
            return new ControlAccess(null, socketGroup);
        }
        if (tokensFile == null) {
            throw new IllegalArgumentException("--control-port needs --control-tokens FILE: the TCP port has no file "
                    + "permissions to guard it, so every request must carry a bearer token (lines of "
                    + "'NAME read|write TOKEN', mode 0600)");
        }
        return new ControlAccess(ControlTokens.load(tokensFile), socketGroup);
    }

    ControlServerConfig applyTo(ControlServerConfig cfg) {
        ControlServerConfig c = tokens == null ? cfg : cfg.withTokens(tokens);
        return socketGroup == null ? c : c.withSocketGroup(socketGroup);
    }
}
