package io.gannet.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gannet reload}: re-read the profile; each part answers "applied" or "restart required". */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Re-read the profile and apply what can change at run time; lists each part's outcome.")
public final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Override
    public Integer call() {
        return new ApiCall(spec, options).post("/v1/reload", null, j -> Render.reload(j, spec.commandLine().getOut()));
    }
}
