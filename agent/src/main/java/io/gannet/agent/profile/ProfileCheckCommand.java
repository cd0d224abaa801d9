package io.gannet.agent.profile;

import io.gannet.topology.LoadedProfile;
import io.gannet.topology.validate.Problem;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet profile check FILE...}: every problem, exit 1 on any error. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate profiles; print every problem as file:line:column: message. Exit 1 on errors, 0 with warnings only.")
public final class ProfileCheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "profile files")
    List<Path> files;

    @picocli.CommandLine.Option(names = "--no-secrets", description = {"Do not read the MD5 key files and environment variables",
        "the profile refers to (on a machine that does not hold them); by default each is read",
        "as 'run' and 'render' would, and one they would refuse is an error."})
    boolean noSecrets;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        int rc = ProfileLoading.OK;
        for (Path f : files) {
            LoadedProfile p = ProfileLoading.load(f, out);
            if (p == null) {
                rc = ProfileLoading.PROFILE_ERRORS;
                continue;
            }
            long errors = p.problems().stream().filter(Problem::isError).count();
            long warnings = p.problems().size() - errors;
            if (errors == 0 && !noSecrets) {
                List<String> refused = SecretCheck.refusedReferences(p);
                refused.forEach(m -> out.println(f + ": error: " + m));
                errors += refused.size();
            }
            if (errors > 0) {
                rc = ProfileLoading.PROFILE_ERRORS;
                out.println(f + ": " + errors + " error(s), " + warnings + " warning(s)");
            } else {
                out.println(f + ": ok, " + p.hostNames().size() + " host(s), " + p.switchNames().size() + " switch(es), "
                        + warnings + " warning(s)");
            }
        }
        out.flush();
        return rc;
    }
}
