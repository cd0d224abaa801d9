package io.gannet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's {@code --help} renders cleanly: picocli prints a "[picocli WARN] Could not
 * format" line and the raw text when a description holds a lone {@code %} (it happened to
 * {@code gannet run --conntrack-max}'s "0.25% of it").
 */
class HelpTextTest {

    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning() {
        List<CommandLine> all = new ArrayList<>();
        collect(GannetCli.commandLine(), all);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            for (CommandLine c : all) {
                String usage = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertThat(usage).as(c.getCommandSpec().qualifiedName()).doesNotContain("%n");
            }
        } finally {
            System.setErr(err);
        }
        assertThat(all).hasSizeGreaterThan(20);
        assertThat(captured.toString(StandardCharsets.UTF_8)).as("picocli's warnings").doesNotContain("picocli WARN");
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        for (CommandLine sub : c.getSubcommands().values()) {
            if (!into.contains(sub)) {
                collect(sub, into);
            }
        }
    }
}
