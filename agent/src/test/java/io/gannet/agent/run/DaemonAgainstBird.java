package io.gannet.agent.run;

import io.gannet.lab.BirdSwitch;
import io.gannet.linux.NetworkNamespace;
import io.gannet.testsupport.Requirements;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life cycle shared by the tests that run the daemon in a "node" namespace peered over one
 * veth pair with a {@link BirdSwitch} in a "switch" namespace: requirements, the namespaces and
 * link (names and addresses given by each test), the profile's path, and tear-down (daemon,
 * then BIRD, then the namespaces). Each test writes its profile and starts BIRD and the daemon.
 */
abstract class DaemonAgainstBird {
    private final String nodeNsName;
    private final String nodeIf;
    private final String nodeCidr;
    private final String swNsName;
    private final String swIf;
    private final String swCidr;
    private final String[] moreCommands;

    @TempDir
    Path dir;
    NetworkNamespace nodeNs;
    NetworkNamespace swNs;
    BirdSwitch bird;
    GannetProcess gannet;
    Path profile;

    /** {@code moreCommands}: what the test needs beyond netns, {@code bird} and {@code birdc}. */
    DaemonAgainstBird(String nodeNsName, String nodeIf, String nodeCidr, String swNsName, String swIf, String swCidr,
            String... moreCommands) {
        this.nodeNsName = nodeNsName;
        this.nodeIf = nodeIf;
        this.nodeCidr = nodeCidr;
        this.swNsName = swNsName;
        this.swIf = swIf;
        this.swCidr = swCidr;
        this.moreCommands = moreCommands;
    }

    @BeforeEach
    void setUp() throws IOException {
        Requirements.requireNetns();
        Requirements.requireCommand("bird");
        Requirements.requireCommand("birdc");
        for (String command : moreCommands) {
            Requirements.requireCommand(command);
        }
        nodeNs = NetworkNamespace.create(nodeNsName);
        swNs = NetworkNamespace.create(swNsName);
        nodeNs.linkTo(swNs, nodeIf, nodeCidr, swIf, swCidr);
        profile = dir.resolve("profile.yaml");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (gannet != null) {
            gannet.close();
        }
        if (bird != null) {
            bird.close();
        }
        if (swNs != null) {
            swNs.close();
        }
        if (nodeNs != null) {
            nodeNs.close();
        }
    }
}
