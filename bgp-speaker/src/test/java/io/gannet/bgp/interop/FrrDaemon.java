package io.gannet.bgp.interop;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * FRR bgpd in the foreground with its own config, pid file and vty socket dir; no zebra,
 * listening on one loopback address and port. Queried with vtysh's JSON output.
 */
final class FrrDaemon extends ExternalDaemon {
    static final String BGPD = "/usr/lib/frr/bgpd";
    private final String listenAddress;
    private final int port;

    FrrDaemon(String config, String listenAddress, int port) throws IOException {
        super("frr");
        this.listenAddress = listenAddress;
        this.port = port;
        Files.writeString(dir.resolve("bgpd.conf"), config);
        startProcess();
    }

    @Override
    protected List<String> command() {
        return List.of(BGPD, "-f", dir.resolve("bgpd.conf").toString(), "-i", dir.resolve("bgpd.pid").toString(),
                "--vty_socket", dir.toString(), "-Z", "-S", "-u", "root", "-g", "root",
                "-p", Integer.toString(port), "-l", listenAddress);
    }

    String vtysh(String command) {
        List<String> cmd = new ArrayList<>(List.of("vtysh", "--vty_socket", dir.toString(), "-c", command));
        return run(cmd);
    }

    boolean established(String neighbor) {
        String out = vtysh("show bgp neighbors " + neighbor + " json");
        return out.contains("\"bgpState\":\"Established\"");
    }
}
