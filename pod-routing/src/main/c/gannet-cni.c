/*
 * /opt/cni/bin/gannet: the Gannet CNI plugin, a thin client of the daemon.
 *
 * The container runtime runs this binary with the CNI_* environment and the network
 * configuration on stdin (CNI spec 1.1.0). It forwards both over the daemon's Unix socket and
 * prints the daemon's answer with the daemon's exit code; the daemon owns every piece of state.
 * Framing (io.gannet.pod.cni.CniWire):
 *
 *   request:  "gannet-cni 1\n" ("CNI_NAME=value\n")* "\n" stdin...  then shutdown(SHUT_WR)
 *   response: "exit-code\n" stdout...                               then the daemon closes
 *
 * VERSION is answered here, so it works without a daemon. A daemon that cannot be reached is
 * CNI error 11 ("try again later"): the runtime retries, and nothing was changed.
 *
 * The socket is GANNET_CNI_SOCKET, else the configuration's "socket" string, else
 * /run/gannet/cni.sock. C, not Java: a JVM start per pod would cost more than the whole ADD.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/gannet/cni.sock"
#define MAX_INPUT (4 * 1024 * 1024)

static const char *CNI_VARS[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH", NULL};

static char version[32] = "1.1.0";

/* Copies the string value of "key" in a JSON text into out (no escapes expected); 1 if found. */
static int json_string(const char *json, const char *key, char *out, size_t outlen) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char *p = strstr(json, pattern);
    if (!p) return 0;
    p += strlen(pattern);
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p != ':') return 0;
    p++;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p != '"') return 0;
    p++;
    size_t n = 0;
    while (*p && *p != '"' && n + 1 < outlen) out[n++] = *p++;
    out[n] = 0;
    return *p == '"';
}

static void json_escape(const char *s, char *out, size_t outlen) {
    size_t n = 0;
    for (; *s && n + 7 < outlen; s++) {
        if (*s == '"' || *s == '\\') { out[n++] = '\\'; out[n++] = *s; }
        else if ((unsigned char)*s < 0x20) n += (size_t)snprintf(out + n, outlen - n, "\\u%04x", *s);
        else out[n++] = *s;
    }
    out[n] = 0;
}

static int fail(int code, const char *msg, const char *details) {
    char m[1024], d[1024];
    json_escape(msg, m, sizeof m);
    json_escape(details, d, sizeof d);
    printf("{\"cniVersion\":\"%s\",\"code\":%d,\"msg\":\"%s\",\"details\":\"%s\"}\n", version, code, m, d);
    return 1;
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(void) {
    char *in = malloc(MAX_INPUT + 1);
    if (!in) return fail(5, "out of memory", "");
    size_t len = 0;
    for (;;) {
        ssize_t n = read(0, in + len, MAX_INPUT - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(5, "cannot read the network configuration from stdin", strerror(errno));
        if (n == 0) break;
        len += (size_t)n;
        if (len == MAX_INPUT) return fail(6, "network configuration larger than 4 MiB", "");
    }
    in[len] = 0;
    char v[32];
    if (json_string(in, "cniVersion", v, sizeof v)) memcpy(version, v, sizeof v);

    const char *command = getenv("CNI_COMMAND");
    if (command && strcmp(command, "VERSION") == 0) {
        printf("{\"cniVersion\":\"1.1.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n");
        return 0;
    }

    char path[108];
    const char *env_socket = getenv("GANNET_CNI_SOCKET");
    if (env_socket && *env_socket) snprintf(path, sizeof path, "%s", env_socket);
    else if (!json_string(in, "socket", path, sizeof path)) snprintf(path, sizeof path, "%s", DEFAULT_SOCKET);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(5, "cannot create a Unix socket", strerror(errno));
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "the Gannet daemon is not reachable at %s (is 'gannet run' running on this node?)", path);
        char det[128];
        snprintf(det, sizeof det, "connect: %s", strerror(errno));
        return fail(11, msg, det);
    }

    /* Environment lines, then the configuration. */
    char head[16384];
    size_t h = (size_t)snprintf(head, sizeof head, "gannet-cni 1\n");
    for (const char **var = CNI_VARS; *var; var++) {
        const char *val = getenv(*var);
        if (!val) continue;
        if (strchr(val, '\n')) return fail(4, "a CNI_* variable contains a newline", *var);
        int n = snprintf(head + h, sizeof head - h, "%s=%s\n", *var, val);
        if (n < 0 || (size_t)n >= sizeof head - h) return fail(4, "CNI_* environment too long", *var);
        h += (size_t)n;
    }
    head[h++] = '\n';
    if (write_all(fd, head, h) != 0 || write_all(fd, in, len) != 0) {
        return fail(11, "the Gannet daemon closed the connection while the request was sent", strerror(errno));
    }
    shutdown(fd, SHUT_WR);

    size_t cap = 65536, got = 0;
    char *out = malloc(cap + 1);
    if (!out) return fail(5, "out of memory", "");
    for (;;) {
        if (got == cap) {
            cap *= 2;
            char *bigger = realloc(out, cap + 1);
            if (!bigger) return fail(5, "out of memory", "");
            out = bigger;
        }
        ssize_t n = read(fd, out + got, cap - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(11, "reading the Gannet daemon's answer failed", strerror(errno));
        if (n == 0) break;
        got += (size_t)n;
    }
    close(fd);
    out[got] = 0;
    char *nl = memchr(out, '\n', got);
    if (!nl) return fail(11, "the Gannet daemon closed the connection without an answer (restarting?)", "");
    *nl = 0;
    int exit_code = atoi(out);
    char *body = nl + 1;
    size_t body_len = got - (size_t)(body - out);
    if (body_len > 0 && write_all(1, body, body_len) != 0) return 1;
    if (body_len > 0 && body[body_len - 1] != '\n') write_all(1, "\n", 1);
    return exit_code;
}
