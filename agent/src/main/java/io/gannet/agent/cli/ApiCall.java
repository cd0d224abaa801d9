package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.agent.control.server.JsonCodec;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs one request for a command and turns the outcome into output and an exit code: the
 * rendered table (or the raw JSON with --json) on stdout, a one-line "gannet: ..." message on
 * stderr for every failure.
 */
final class ApiCall {
    private final CommandSpec spec;
    private final ClientOptions options;

    ApiCall(CommandSpec spec, ClientOptions options) {
        this.spec = spec;
        this.options = options;
    }

    int get(String uri, Consumer<JsonNode> render) {
        return run(uri, null, render);
    }

    int post(String uri, Object body, Consumer<JsonNode> render) {
        return post(uri, body, render, json -> ExitCodes.OK);
    }

    /** As {@link #post(String, Object, Consumer)}; a successful answer's exit code is {@code exitCode} of it. */
    int post(String uri, Object body, Consumer<JsonNode> render, java.util.function.ToIntFunction<JsonNode> exitCode) {
        return run(uri, body == null ? new byte[0] : JsonCodec.write(body), render, exitCode);
    }

    private int run(String uri, byte[] body, Consumer<JsonNode> render) {
        return run(uri, body, render, json -> ExitCodes.OK);
    }

    private int run(String uri, byte[] body, Consumer<JsonNode> render, java.util.function.ToIntFunction<JsonNode> exitCode) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ControlClient.Response r;
        try {
            ControlClient client = options.client();
            r = body == null ? client.get(uri) : client.post(uri, body);
        } catch (DaemonUnreachableException e) {
            err.println("gannet: " + e.getMessage());
            err.flush();
            return ExitCodes.NO_DAEMON;
        }
        if (options.json()) {
            out.println(r.text());
            out.flush();
        }
        JsonNode json;
        try {
            json = JsonCodec.mapper().readTree(r.body());
        } catch (IOException e) {
            err.println("gannet: the daemon sent an answer that is not JSON (HTTP " + r.status() + ")");
            err.flush();
            return ExitCodes.DAEMON_ERROR;
        }
        if (r.status() >= 400) {
            String message = json.path("message").asText("HTTP " + r.status());
            err.println("gannet: " + message);
            err.flush();
            return r.status() >= 500 ? ExitCodes.DAEMON_ERROR : ExitCodes.REJECTED;
        }
        if (!options.json()) {
            render.accept(json);
            out.flush();
        }
        return exitCode.applyAsInt(json);
    }
}
