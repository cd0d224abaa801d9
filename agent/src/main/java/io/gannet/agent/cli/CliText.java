package io.gannet.agent.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.gannet.agent.control.server.JsonCodec;
import io.gannet.agent.control.server.TextViews;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.BiConsumer;

/**
 * The {@code gannet show} text of each view, for clients that ask the daemon for text (the
 * native client {@code gannet-show}): the same {@link Render} methods the Java CLI uses, so
 * both print the same bytes.
 */
public final class CliText implements TextViews {
    @Override
    public String render(String path, byte[] json) {
        BiConsumer<JsonNode, PrintWriter> r = renderer(path);
        if (r == null) {
            return null;
        }
        JsonNode body;
        try {
            body = JsonCodec.mapper().readTree(json);
        } catch (IOException e) {
            return null;
        }
        StringWriter w = new StringWriter();
        PrintWriter out = new PrintWriter(w);
        r.accept(body, out);
        out.flush();
        return w.toString();
    }

    private static BiConsumer<JsonNode, PrintWriter> renderer(String path) {
        if (path.equals("/v1/peers")) {
            return Render::peers;
        }
        if (path.equals("/v1/routes")) {
            return Render::routes;
        }
        if (path.equals("/v1/bfd")) {
            return Render::bfd;
        }
        if (path.startsWith("/v1/peers/") && path.endsWith("/detail")) {
            return Render::peerDetail;
        }
        if (path.startsWith("/v1/routes/") && path.endsWith("/detail")) {
            return Render::routeDetail;
        }
        return null;
    }
}
