package io.gannet.agent.profile;

import picocli.CommandLine.Command;

/** {@code gannet profile ...}: check, render and compare topology profiles. */
@Command(name = "profile",
        mixinStandardHelpOptions = true,
        description = "Check, render and compare YAML topology profiles.",
        subcommands = {ProfileCheckCommand.class, ProfileRenderCommand.class, ProfileDiffCommand.class})
public final class ProfileCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check, render or diff");
    }
}
