package io.gannet.agent.profile;

import io.gannet.topology.LoadedProfile;
import io.gannet.topology.ProfileException;
import io.gannet.topology.config.NodeConfig;
import io.gannet.topology.render.BirdSwitchRenderer;
import io.gannet.topology.render.NodeConfigWriter;
import io.gannet.topology.render.SwitchFormat;
import io.gannet.topology.resolve.SecretResolver;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code gannet profile render FILE --node NAME [--format yaml|json]} and
 * {@code gannet profile render FILE --switch NAME [--format frr|bird|gannet]}.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Print a host's effective configuration (--node, YAML or JSON) or the host-facing",
            "configuration of a switch (--switch: FRR, BIRD, or a profile Gannet runs the switch from). Problems go to stderr."})
public final class ProfileRenderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "profile file")
    Path file;

    static final class Target {
        @Option(names = "--node", paramLabel = "NAME", description = "host to render") String node;
        @Option(names = "--switch", paramLabel = "NAME", description = "switch to render") String switchName;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    enum Format { yaml, json, frr, bird, gannet }

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "yaml (default) or json for --node; frr (default), bird or gannet for --switch")
    Format format;

    @Option(names = "--no-secrets",
            description = "do not read MD5 password references (host output shows references either way)")
    boolean noSecrets;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        boolean forNode = target.node != null;
        Format f = format != null ? format : forNode ? Format.yaml : Format.frr;
        if (forNode && (f == Format.frr || f == Format.bird || f == Format.gannet)) {
            throw new ParameterException(spec.commandLine(), "--format " + f + " is for --switch; --node takes yaml or json");
        }
        if (!forNode && (f == Format.yaml || f == Format.json)) {
            throw new ParameterException(spec.commandLine(), "--format " + f + " is for --node; --switch takes frr, bird or gannet");
        }
        if (!forNode && noSecrets && f != Format.gannet) {
            throw new ParameterException(spec.commandLine(), "--no-secrets is for --node: a switch configuration needs its MD5 keys");
        }
        LoadedProfile p = ProfileLoading.load(file, err);
        if (p == null || p.hasErrors()) {
            return ProfileLoading.PROFILE_ERRORS;
        }
        // A Gannet switch's profile carries MD5 references, as the hosts' profile does: no key is read.
        SecretResolver secrets = noSecrets || f == Format.gannet ? SecretResolver.referencesOnly() : SecretResolver.system();
        try {
            if (forNode) {
                NodeConfig c = p.nodeConfig(target.node, secrets);
                out.print(f == Format.json ? NodeConfigWriter.json(c) : NodeConfigWriter.yaml(c));
            } else {
                SwitchFormat sf = f == Format.bird ? SwitchFormat.BIRD : f == Format.gannet ? SwitchFormat.GANNET : SwitchFormat.FRR;
                if (sf == SwitchFormat.BIRD) {
                    for (String host : BirdSwitchRenderer.perNeighborBfdDifferences(p.switchView(target.switchName, secrets))) {
                        err.println(file + ": warning: host " + host + " overrides BFD timers, which BIRD 2.0 cannot set per neighbor on switch " + target.switchName);
                    }
                }
                out.print(p.renderSwitch(target.switchName, sf, secrets));
            }
        } catch (ProfileException e) {
            err.println(file + ": error: " + e.getMessage());
            err.flush();
            return ProfileLoading.PROFILE_ERRORS;
        }
        out.flush();
        err.flush();
        return ProfileLoading.OK;
    }
}
