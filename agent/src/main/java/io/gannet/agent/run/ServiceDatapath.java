package io.gannet.agent.run;

import io.gannet.agent.logging.EventLog;
import io.gannet.bpf.Datapath;
import io.gannet.bpf.DatapathOptions;
import io.gannet.bpf.k8s.ServiceDirectory;
import io.gannet.bpf.k8s.ServiceDirectoryWatcher;
import io.gannet.bpf.lb.ApplyResult;
import io.gannet.bpf.lb.Backend;
import io.gannet.bpf.lb.ServiceSpec;
import io.gannet.bpf.lb.ServiceStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The node's eBPF Service datapath inside the daemon: opens (or re-adopts from bpffs) the
 * datapath, follows a directory of Kubernetes Service and EndpointSlice YAML, collects expired
 * conntrack entries, and answers {@code gannet show services}.
 *
 * <p>Threads: the directory watcher applies services on its own thread; a scheduler thread
 * collects conntrack garbage; the control server reads {@link #rows}. {@link Datapath} is
 * synchronized, so they need no further locking.
 */
final class ServiceDatapath implements AutoCloseable {
    private static final long GC_PERIOD_SECONDS = 30;

    private final Datapath datapath;
    private final ServiceDirectoryWatcher watcher;
    private final ScheduledExecutorService gc;

    private ServiceDatapath(Datapath datapath, ServiceDirectoryWatcher watcher, ScheduledExecutorService gc) {
        this.datapath = datapath;
        this.watcher = watcher;
        this.gc = gc;
    }

    /**
     * @param pinRoot    where maps and programs are pinned (re-adopted after a restart)
     * @param servicesDir the watched directory of Service / EndpointSlice YAML
     * @param hostDevices devices to attach the host program to (externalIP DNAT), may be empty
     */
    static ServiceDatapath start(Path pinRoot, Path servicesDir, List<String> hostDevices, EventLog log) throws IOException {
        Datapath dp = Datapath.open(DatapathOptions.defaults().withPinRoot(pinRoot));
        try {
            for (String dev : hostDevices) {
                dp.attachHost(dev);
            }
            ServiceDirectoryWatcher watcher = new ServiceDirectoryWatcher(new ServiceDirectory(servicesDir),
                    specs -> apply(dp, specs, log),
                    err -> log.operatorAction("services", err.file().toString(), "ignored: " + err.reason()), 200).start();
            ScheduledExecutorService gc = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "gannet-conntrack-gc");
                t.setDaemon(true);
                return t;
            });
            gc.scheduleWithFixedDelay(dp::collectGarbage, GC_PERIOD_SECONDS, GC_PERIOD_SECONDS, TimeUnit.SECONDS);
            log.operatorAction("datapath", pinRoot.toString(), "re-adopted " + dp.restoredFrontends()
                    + " frontends; watching " + servicesDir);
            return new ServiceDatapath(dp, watcher, gc);
        } catch (IOException | RuntimeException e) {
            dp.close();
            throw e;
        }
    }

    private static void apply(Datapath dp, List<ServiceSpec> specs, EventLog log) {
        ApplyResult r = dp.applyServices(specs);
        if (r.changed()) {
            log.operatorAction("services", "datapath", r.toString());
        }
    }

    /** One row per frontend, in the order {@code gannet show services} prints columns. */
    List<Map<String, Object>> rows() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServiceStatus s : datapath.services()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", s.name());
            row.put("frontend", s.frontend().toString());
            row.put("type", s.external() ? "externalIP" : "ClusterIP");
            row.put("algorithm", s.algorithm().toString().toLowerCase(java.util.Locale.ROOT));
            row.put("backends", s.backendCount());
            List<String> backends = new ArrayList<>();
            for (Backend b : s.backends()) {
                backends.add(b.toString());
            }
            row.put("backendAddresses", backends);
            out.add(row);
        }
        return out;
    }

    /** The datapath itself (pod attachment from the CNI backend). */
    Datapath datapath() {
        return datapath;
    }

    /** Stops following the directory; maps, programs and attachments stay pinned so traffic keeps flowing. */
    @Override
    public void close() {
        watcher.close();
        gc.shutdownNow();
        datapath.close();
    }
}
