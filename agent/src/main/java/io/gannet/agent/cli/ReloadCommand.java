package io.gannet.agent.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gannet reload}: re-read the profile; each part answers "applied" or "restart required". */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Re-read the profile and apply what can change at run time; lists each part's outcome.",
                "Exit codes: 0 applied (or unchanged), 6 a part needs a restart (not applied), 4 the profile was refused (nothing changed), 3 no daemon."})
public final class ReloadCommand implements Callable<Integer> {
    /**
     * Exit code when the daemon answered but some part was not applied and needs a restart
     * (the table says which): scripts must not take a partial reload for success.
     */
    public static final int RESTART_REQUIRED = 6;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions options;

    @Override
    public Integer call() {
        return new ApiCall(spec, options).post("/v1/reload", null, j -> Render.reload(j, spec.commandLine().getOut()),
                ReloadCommand::exitCode);
    }

    static int exitCode(com.fasterxml.jackson.databind.JsonNode answer) {
        for (com.fasterxml.jackson.databind.JsonNode p : answer.path("parts")) {
            if (io.gannet.agent.control.ReloadResult.Outcome.RESTART_REQUIRED.toString().equals(p.path("outcome").asText())) {
                return RESTART_REQUIRED;
            }
        }
        return ExitCodes.OK;
    }
}
