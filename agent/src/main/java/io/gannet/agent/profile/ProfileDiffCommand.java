package io.gannet.agent.profile;

import io.gannet.topology.LoadedProfile;
import io.gannet.topology.ProfileException;
import io.gannet.topology.diff.DiffPrinter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code gannet profile diff OLD NEW}: sessions and announcements added, removed or altered, per host. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Show per host which sessions and announcements a profile change adds, removes or alters.")
public final class ProfileDiffCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD") Path oldFile;
    @Parameters(index = "1", paramLabel = "NEW") Path newFile;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        LoadedProfile before = ProfileLoading.load(oldFile, err);
        LoadedProfile after = ProfileLoading.load(newFile, err);
        if (before == null || after == null || before.hasErrors() || after.hasErrors()) {
            return ProfileLoading.PROFILE_ERRORS;
        }
        try {
            out.print(DiffPrinter.print(after.diffFrom(before)));
        } catch (ProfileException e) {
            err.println("error: " + e.getMessage());
            return ProfileLoading.PROFILE_ERRORS;
        }
        out.flush();
        return ProfileLoading.OK;
    }
}
