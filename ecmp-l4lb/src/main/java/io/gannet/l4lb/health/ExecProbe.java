package io.gannet.l4lb.health;

import io.gannet.l4lb.model.HealthCheckSpec;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * A command: healthy when it exits 0 within the timeout; killed after it. The backend is in
 * its environment as GANNET_BACKEND_ADDR and GANNET_BACKEND_PORT; its output is discarded.
 */
final class ExecProbe implements Probe {
    @Override
    public ProbeResult run(String address, int port, HealthCheckSpec spec) {
        ProcessBuilder pb = new ProcessBuilder(spec.command());
        pb.environment().put("GANNET_BACKEND_ADDR", address);
        pb.environment().put("GANNET_BACKEND_PORT", Integer.toString(port));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = null;
        try {
            p = pb.start();
            if (!p.waitFor(spec.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return ProbeResult.failed("timed out");
            }
            int rc = p.exitValue();
            return rc == 0 ? ProbeResult.OK : ProbeResult.failed("exit " + rc);
        } catch (IOException e) {
            return ProbeResult.failed("cannot run " + spec.command().get(0) + ": " + Probe.reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (p != null) {
                p.destroyForcibly();
            }
            return ProbeResult.failed("interrupted");
        }
    }
}
