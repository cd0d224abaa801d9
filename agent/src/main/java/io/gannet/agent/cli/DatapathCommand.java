package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.gannet.bpf.DatapathAdmin;
import io.gannet.bpf.libbpf.BpfException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gannet datapath status|reset}: works on the pin root and the devices directly (as
 * root), so it also answers when no daemon runs; reset refuses while one does.
 */
@Command(name = "datapath", mixinStandardHelpOptions = true,
        description = "The eBPF datapath on this host: what is pinned and attached; a clean uninstall.",
        subcommands = {DatapathCommand.Status.class, DatapathCommand.Reset.class})
public final class DatapathCommand {

    static class Common {
        @Option(names = "--bpf-pin-root", description = "pin root (default ${DEFAULT-VALUE})", defaultValue = "/sys/fs/bpf/gannet")
        Path pinRoot;

        @Option(names = "--netns", description = "network namespace name whose devices to look at (default: this one)")
        String netns;

        String netnsPath() {
            return netns == null ? null : io.gannet.bpf.libbpf.Netns.named(netns);
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Pin layout, pins, and devices Gannet is attached to.")
    static final class Status extends Common implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "JSON output")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try {
                DatapathAdmin.Status s = DatapathAdmin.status(pinRoot, netnsPath());
                if (json) {
                    out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(s));
                    return ExitCodes.OK;
                }
                out.printf("pin root   %s (layout %s)%n", s.pinRoot(), s.layout());
                out.printf("daemon     %s%n", s.daemonRunning() ? "running (holds the pin root)" : "not running");
                out.printf("pins       %d%n", s.pins().size());
                for (String p : s.pins()) {
                    out.printf("  %s%n", p);
                }
                out.printf("attached   %d hooks%n", s.hooks().size());
                for (DatapathAdmin.Hook h : s.hooks()) {
                    out.printf("  %-16s %-7s program %d%n", h.device(), h.direction(), h.programId());
                }
                return ExitCodes.OK;
            } catch (BpfException e) {
                spec.commandLine().getErr().println("gannet datapath status: " + e.getMessage());
                return ExitCodes.SOFTWARE;
            }
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Detach Gannet from every device, remove the clsact qdiscs that are left empty, remove every pin.")
    static final class Reset extends Common implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                DatapathAdmin.Reset r = DatapathAdmin.reset(pinRoot, netnsPath());
                for (DatapathAdmin.Hook h : r.detached()) {
                    out.printf("detached %s %s (program %d)%n", h.device(), h.direction(), h.programId());
                }
                for (String d : r.clsactRemoved()) {
                    out.printf("removed clsact qdisc from %s%n", d);
                }
                out.printf("removed %d pins under %s%n", r.pinsRemoved(), pinRoot);
                return ExitCodes.OK;
            } catch (BpfException e) {
                spec.commandLine().getErr().println("gannet datapath reset: " + e.getMessage());
                return e.kind() == BpfException.Kind.BUSY ? ExitCodes.REJECTED : ExitCodes.SOFTWARE;
            }
        }
    }
}
