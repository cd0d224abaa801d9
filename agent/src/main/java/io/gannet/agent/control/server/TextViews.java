package io.gannet.agent.control.server;

/**
 * Renders a view's JSON answer as the CLI's text (the {@code gannet show} tables), so that a
 * client that asks for {@code Accept: text/plain} (the native {@code gannet-show} client) prints
 * exactly what the Java CLI prints: one source of truth for the output format. Implemented by
 * the CLI's renderer and wired in by the daemon.
 */
@FunctionalInterface
public interface TextViews {
    /** No text views: every answer is JSON. */
    TextViews NONE = (path, json) -> null;

    /**
     * @param path the request path ({@code /v1/peers}, {@code /v1/routes}, ...)
     * @param json the view's JSON answer
     * @return the text, or null when the path has no text view
     */
    String render(String path, byte[] json);
}
