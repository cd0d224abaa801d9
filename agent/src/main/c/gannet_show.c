/*
 * gannet-show: the native fast path of the read-only `gannet show` commands.
 *
 * A `gannet show peers` through the JVM costs its start-up (1-6 s on a busy 2-core host); an
 * operator typing it like `birdc show protocols` expects an answer at once. This client speaks
 * HTTP/1.1 over the daemon's Unix socket and asks for `Accept: text/plain`: the daemon renders
 * the table with the Java CLI's own renderer (io.gannet.agent.cli.CliText), so there is one
 * source of truth for the output and this file formats nothing.
 *
 * Handled (anything else exits 200 without output, and the `gannet` launcher runs the Java CLI):
 *   show peers | show bfd | show peer NAME | show routes [PREFIX | for ADDRESS]
 *   each optionally with --socket PATH (default $GANNET_SOCKET, else /run/gannet/gannet.sock)
 *
 * Exit codes and messages are the Java CLI's (io.gannet.agent.cli.ExitCodes): 0 ok, 3 no
 * daemon, 4 rejected (4xx), 5 daemon error (5xx).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define NOT_HANDLED 200
#define EXIT_NO_DAEMON 3
#define EXIT_REJECTED 4
#define EXIT_DAEMON_ERROR 5
#define TIMEOUT_SECONDS 30

/* Appends s percent-encoded (RFC 3986 unreserved characters pass). */
static void encode(char *out, size_t cap, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(out);
    for (; *s && n + 4 < cap; s++) {
        unsigned char c = (unsigned char) *s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~') {
            out[n++] = (char) c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = 0;
}

static int fail(int code, const char *fmt, const char *a) {
    fputs("gannet: ", stderr);
    fprintf(stderr, fmt, a);
    fputc('\n', stderr);
    return code;
}

int main(int argc, char **argv) {
    const char *socket_path = getenv("GANNET_SOCKET");
    const char *words[4];
    int nwords = 0;
    if (socket_path == NULL || !*socket_path) {
        socket_path = "/run/gannet/gannet.sock";
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
            socket_path = argv[++i];
        } else if (strncmp(argv[i], "--socket=", 9) == 0) {
            socket_path = argv[i] + 9;
        } else if (argv[i][0] == '-' || nwords == 4) {
            return NOT_HANDLED;
        } else {
            words[nwords++] = argv[i];
        }
    }
    char uri[2048] = "";
    if (nwords < 2 || strcmp(words[0], "show") != 0) {
        return NOT_HANDLED;
    }
    if (nwords == 2 && strcmp(words[1], "peers") == 0) {
        strcpy(uri, "/v1/peers");
    } else if (nwords == 2 && strcmp(words[1], "bfd") == 0) {
        strcpy(uri, "/v1/bfd");
    } else if (nwords == 2 && strcmp(words[1], "routes") == 0) {
        strcpy(uri, "/v1/routes");
    } else if (nwords == 3 && strcmp(words[1], "peer") == 0) {
        strcpy(uri, "/v1/peers/");
        encode(uri, sizeof uri - 16, words[2]);
        strcat(uri, "/detail");
    } else if (nwords == 3 && strcmp(words[1], "routes") == 0 && strcmp(words[2], "for") != 0) {
        strcpy(uri, "/v1/routes?prefix=");
        encode(uri, sizeof uri, words[2]);
    } else if (nwords == 4 && strcmp(words[1], "routes") == 0 && strcmp(words[2], "for") == 0) {
        strcpy(uri, "/v1/routes?for=");
        encode(uri, sizeof uri, words[3]);
    } else {
        return NOT_HANDLED;
    }

    struct stat st;
    if (stat(socket_path, &st) != 0) {
        if (errno == EACCES) {
            return fail(EXIT_NO_DAEMON, "cannot open control socket %s: permission denied (run as root or as a member of the socket's group)", socket_path);
        }
        return fail(EXIT_NO_DAEMON, "no control socket at %s: is the gannet daemon running? (`gannet run` starts it; --socket or GANNET_SOCKET pick another socket)", socket_path);
    }
    if (!S_ISSOCK(st.st_mode)) {
        return fail(EXIT_NO_DAEMON, "%s is not a socket; pass the daemon's control socket with --socket", socket_path);
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        return fail(EXIT_NO_DAEMON, "control socket path %s is too long", socket_path);
    }
    strcpy(addr.sun_path, socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return fail(EXIT_NO_DAEMON, "cannot create a socket: %s", strerror(errno));
    }
    struct timeval tv = {.tv_sec = TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0) {
        if (errno == EACCES) {
            return fail(EXIT_NO_DAEMON, "cannot open control socket %s: permission denied (run as root or as a member of the socket's group)", socket_path);
        }
        if (errno == ECONNREFUSED) {
            return fail(EXIT_NO_DAEMON, "no gannet daemon is listening on %s (stale socket file: the daemon is not running)", socket_path);
        }
        return fail(EXIT_NO_DAEMON, "cannot connect to the control socket: %s", strerror(errno));
    }
    char req[2300];
    int len = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: gannet\r\nAccept: text/plain\r\nConnection: close\r\n\r\n", uri);
    for (int off = 0; off < len;) {
        ssize_t w = write(fd, req + off, (size_t) (len - off));
        if (w <= 0) {
            return fail(EXIT_NO_DAEMON, "lost the connection to the daemon: %s", strerror(errno));
        }
        off += (int) w;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        if (buf == NULL) {
            return fail(EXIT_DAEMON_ERROR, "out of memory reading the answer%s", "");
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r == 0) {
            break;
        }
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(EXIT_NO_DAEMON, errno == EAGAIN ? "the daemon did not answer within 30 s%s"
                    : "lost the connection to the daemon%s", "");
        }
        n += (size_t) r;
    }
    close(fd);
    int status = 0;
    char *body = NULL;
    for (size_t i = 0; i + 3 < n; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            body = buf + i + 4;
            break;
        }
    }
    if (body == NULL || sscanf(buf, "HTTP/1.1 %d", &status) != 1) {
        return fail(EXIT_DAEMON_ERROR, "the daemon sent an answer that is not HTTP%s", "");
    }
    size_t body_len = n - (size_t) (body - buf);
    if (status >= 400) {
        fputs("gannet: ", stderr);
        fwrite(body, 1, body_len, stderr);
        return status >= 500 ? EXIT_DAEMON_ERROR : EXIT_REJECTED;
    }
    fwrite(body, 1, body_len, stdout);
    return fflush(stdout) == 0 ? 0 : EXIT_DAEMON_ERROR;
}
