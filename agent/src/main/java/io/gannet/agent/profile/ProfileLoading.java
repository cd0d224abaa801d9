package io.gannet.agent.profile;

import io.gannet.topology.LoadedProfile;
import io.gannet.topology.TopologyProfiles;
import io.gannet.topology.validate.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Loads a profile for a command and prints its problems in {@code file:line:column: message} form. */
final class ProfileLoading {
    static final int OK = 0;
    static final int PROFILE_ERRORS = 1;

    private ProfileLoading() {}

    /** The loaded profile, or null after printing why the file could not be read. */
    static LoadedProfile load(Path file, PrintWriter problemsOut) {
        try {
            LoadedProfile p = TopologyProfiles.load(file);
            for (Problem problem : p.problems()) {
                problemsOut.println(problem);
            }
            problemsOut.flush();
            return p;
        } catch (IOException e) {
            problemsOut.println(file + ": error: cannot read: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()));
            problemsOut.flush();
            return null;
        }
    }
}
