package io.gannet.agent.run;

import io.gannet.lab.Fabric;
import io.gannet.testsupport.Requirements;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life cycle shared by the tests that run the daemon against a {@link Fabric} of FRR
 * switches: their requirements, the test directory, and tear-down (daemon first, then the
 * switches and namespaces). Each test builds its own fabric and starts its own daemon.
 */
abstract class DaemonAgainstFrr {
    @TempDir
    Path dir;
    Fabric fabric;
    GannetProcess gannet;

    @BeforeEach
    void requirements() {
        Requirements.requireNetns();
        Requirements.requireCommand(Fabric.BGPD);
        Requirements.requireCommand("vtysh");
    }

    @AfterEach
    void tearDown() {
        if (gannet != null) {
            gannet.close();
        }
        if (fabric != null) {
            fabric.close();
        }
    }
}
