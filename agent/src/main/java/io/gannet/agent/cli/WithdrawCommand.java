package io.gannet.agent.cli;

import io.gannet.agent.control.server.RequestBodies;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet withdraw PREFIX}: stop originating a route announced with {@code gannet announce}. */
@Command(name = "withdraw", mixinStandardHelpOptions = true, description = "Withdraw a route this daemon originated.")
public final class WithdrawCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Parameters(paramLabel = "PREFIX")
    String prefix;

    @Option(names = "--force", description = "Withdraw a route the profile originates (it comes back on reload or restart).")
    boolean force;

    @Override
    public Integer call() {
        return new ApiCall(spec, options).post("/v1/withdraw", new RequestBodies.Withdraw(prefix, force ? Boolean.TRUE : null),
                j -> Render.commandResult(j, spec.commandLine().getOut(), spec.commandLine().getErr()));
    }
}
