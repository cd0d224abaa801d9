/**
 * The client side of the control API: {@code gannet show ...}, {@code gannet peer ...},
 * {@code gannet announce|withdraw|reload}. Each command sends one HTTP/1.1 request over the
 * daemon's Unix socket ({@link io.gannet.agent.cli.ControlClient}, netty epoll + codec-http),
 * then prints a birdc-like table, or with {@code --json} the API's JSON as is.
 *
 * <p>Validation lives in one place, the daemon: the CLI passes the operator's text through and
 * prints the daemon's error message. Exit codes are in {@link io.gannet.agent.cli.ExitCodes}.
 *
 * <p>Threads: a command runs on the caller's thread and one short-lived netty I/O thread.
 */
package io.gannet.agent.cli;
