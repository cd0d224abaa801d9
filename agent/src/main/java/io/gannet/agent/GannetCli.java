package io.gannet.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gannet} command: one entry point for the daemon, the CLI and the tools. */
@Command(name = "gannet",
        mixinStandardHelpOptions = true,
        versionProvider = GannetCli.Version.class,
        description = "BGP-centric routing appliance: BGP speaker, BFD, ECMP L4LB and an eBPF datapath.",
        subcommands = {
            CommandLine.HelpCommand.class,
            io.gannet.agent.run.RunCommand.class,
            io.gannet.agent.profile.ProfileCommand.class,
            io.gannet.agent.cli.ShowCommand.class,
            io.gannet.agent.cli.MonitorCommand.class,
            io.gannet.agent.cli.PeerCommand.class,
            io.gannet.agent.cli.AnnounceCommand.class,
            io.gannet.agent.cli.WithdrawCommand.class,
            io.gannet.agent.cli.ReloadCommand.class,
            io.gannet.agent.cli.IpamCommand.class,
            io.gannet.agent.cli.EndpointCommand.class,
            io.gannet.agent.cli.DatapathCommand.class,
            io.gannet.agent.cli.DrainCommand.class,
            io.gannet.agent.lab.LabCommand.class,
        })
public final class GannetCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by main and tests. */
    public static CommandLine commandLine() {
        return new CommandLine(new GannetCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GannetCli.class.getPackage().getImplementationVersion();
            return new String[] {"gannet " + (v == null ? "dev" : v)};
        }
    }
}
