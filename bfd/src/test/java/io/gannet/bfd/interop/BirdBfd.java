package io.gannet.bfd.interop;

import io.gannet.linux.NetworkNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** BIRD 2 with only a BFD protocol, in the foreground inside a namespace, config and sockets in a temp dir. */
public final class BirdBfd implements AutoCloseable {
    private final Path dir;
    private final Process process;

    private BirdBfd(Path dir, Process process) {
        this.dir = dir;
        this.process = process;
    }

    public static BirdBfd start(NetworkNamespace ns, String routerId, String neighbor, String local, int intervalMs,
            int mult) throws IOException {
        return start(ns, config(routerId, neighbor, local, intervalMs, mult));
    }

    /** BIRD with one multihop neighbor (RFC 5883: UDP 4784, no TTL check on receive). */
    public static BirdBfd startMultihop(NetworkNamespace ns, String routerId, String neighbor, String local, int intervalMs,
            int mult) throws IOException {
        String timers = "min rx interval " + intervalMs + " ms; min tx interval " + intervalMs + " ms; multiplier " + mult + ";";
        return start(ns, "router id " + routerId + ";\n"
                + "protocol device {}\n"
                + "protocol bfd {\n"
                + "  multihop { " + timers + " };\n"
                + "  neighbor " + neighbor + " local " + local + " multihop on;\n"
                + "}\n");
    }

    private static BirdBfd start(NetworkNamespace ns, String config) throws IOException {
        Path dir = Files.createTempDirectory("gannet-bird");
        Files.writeString(dir.resolve("bird.conf"), config);
        Process p = ns.start("bird", "-c", dir.resolve("bird.conf").toString(), "-s", dir.resolve("bird.ctl").toString(),
                "-P", dir.resolve("bird.pid").toString(), "-f");
        BirdBfd b = new BirdBfd(dir, p);
        Await.until(java.time.Duration.ofSeconds(10), "bird control socket", () -> Files.exists(dir.resolve("bird.ctl")));
        return b;
    }

    static String config(String routerId, String neighbor, String local, int intervalMs, int mult) {
        return "router id " + routerId + ";\n"
                + "protocol device {}\n"
                + "protocol bfd {\n"
                + "  interface \"*\" { min rx interval " + intervalMs + " ms; min tx interval " + intervalMs
                + " ms; multiplier " + mult + "; };\n"
                + "  neighbor " + neighbor + " local " + local + ";\n"
                + "}\n";
    }

    public String birdc(String command) {
        return NetworkNamespace.Shell.run("birdc", "-s", dir.resolve("bird.ctl").toString(), command);
    }

    /** The session line for {@code neighbor}: state, interval and timeout columns. */
    public Session session(String neighbor) {
        String out = birdc("show bfd sessions");
        Matcher m = Pattern.compile(Pattern.quote(neighbor) + "\\s+(\\S+)\\s+(\\S+)\\s+\\S+\\s+([0-9.]+)\\s+([0-9.]+)")
                .matcher(out);
        if (!m.find()) {
            return null;
        }
        return new Session(m.group(2), Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)));
    }

    /** BIRD's view: state, transmit interval (s), detection timeout (s). */
    public record Session(String state, double intervalSeconds, double timeoutSeconds) {}

    public void kill() {
        try {
            String pid = Files.readString(dir.resolve("bird.pid")).trim();
            NetworkNamespace.Shell.runQuietly("kill", "-9", pid);
        } catch (IOException e) {
            // no pid file yet
        }
        process.destroyForcibly();
    }

    @Override
    public void close() {
        kill();
        NetworkNamespace.Shell.runQuietly("rm", "-rf", dir.toString());
    }
}
