package io.gannet.agent.control.server;

import io.gannet.agent.control.ControlException;
import io.gannet.agent.control.DaemonControl;
import io.gannet.agent.control.DaemonView;
import io.gannet.agent.control.Family;
import io.gannet.agent.control.IpLiteral;
import io.gannet.agent.control.IpPrefix;
import io.gannet.agent.control.RouteQuery;
import io.gannet.agent.metrics.GannetMetrics;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control API's routes: a pure function from {@link ApiRequest} to {@link ApiResponse},
 * independent of netty's channels so that it can be tested directly. See openapi.yaml for
 * the contract.
 */
public final class ControlApi {
    private static final Logger LOG = LoggerFactory.getLogger(ControlApi.class);
    private static final String PEERS = "/v1/peers/";
    private static final String ROUTES = "/v1/routes/";
    private static final String DETAIL = "/detail";
    private static final String OPENAPI_RESOURCE = "/openapi.yaml";

    /** What a listener serves. */
    public enum Scope {
        /** The whole API and /metrics (the Unix socket, the loopback control port). */
        CONTROL,
        /** Only /metrics (the Prometheus scrape address, which may face the network). */
        METRICS_ONLY
    }

    private final DaemonView view;
    private final DaemonControl control;
    private final GannetMetrics metrics;
    private final Supplier<String> openApi = ControlApi::loadOpenApi;
    private final ControlAudit audit;
    private volatile TextViews text = TextViews.NONE;

    public ControlApi(DaemonView view, DaemonControl control, GannetMetrics metrics) {
        this(view, control, metrics, ControlAudit.NONE);
    }

    public ControlApi(DaemonView view, DaemonControl control, GannetMetrics metrics, ControlAudit audit) {
        this.view = view;
        this.control = control;
        this.metrics = metrics;
        this.audit = audit;
    }

    /** Serves {@code Accept: text/plain} requests with {@code views} (the CLI's renderer). */
    public ControlApi withTextViews(TextViews views) {
        this.text = views;
        return this;
    }

    /** Answers one request from a trusted local caller (tests, benchmarks); never throws. */
    public ApiResponse handle(ApiRequest request, Scope scope) {
        return handle(request, scope, new Caller("local", "", Caller.Access.WRITE));
    }

    /**
     * Answers one request from {@code caller}; never throws. A caller without a valid token
     * gets 401, a read-only caller's command 403; every command (POST), refused or not, is
     * reported to the audit.
     */
    public ApiResponse handle(ApiRequest request, Scope scope, Caller caller) {
        ApiResponse response = answer(request, scope, caller);
        if (request.wantsText()) {
            response = asText(request, response);
        }
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            OperatorCommand what = OperatorCommand.of(request);
            audit.command(caller, what.action(), what.target(), response.status(), ApiResponse.messageOf(response));
        }
        return response;
    }

    private ApiResponse answer(ApiRequest request, Scope scope, Caller caller) {
        try {
            authorize(request, scope, caller);
            return route(request, scope);
        } catch (ControlException e) {
            return e.kind() == ControlException.Kind.UNAUTHORIZED
                    ? ApiResponse.error(e, Map.of("WWW-Authenticate", "Bearer realm=\"gannet\""))
                    : ApiResponse.error(e);
        } catch (MethodNotAllowed e) {
            return ApiResponse.error(new ControlException(ControlException.Kind.METHOD_NOT_ALLOWED,
                    e.got + " is not allowed here; use " + e.allowed), Map.of("Allow", e.allowed));
        } catch (RuntimeException e) {
            LOG.error("control API {} {} failed", request.method(), request.uri(), e);
            return ApiResponse.error(new ControlException(ControlException.Kind.INTERNAL,
                    "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
        }
    }

    /**
     * The text form of an answer: a view's table when it has one, an error's message line;
     * anything else (openapi.yaml, /metrics, a view without a text form) is left as it is.
     */
    private ApiResponse asText(ApiRequest request, ApiResponse r) {
        if (r.status() >= 400) {
            return new ApiResponse(r.status(), "text/plain; charset=utf-8",
                    (ApiResponse.messageOf(r) + "\n").getBytes(StandardCharsets.UTF_8), r.headers());
        }
        if (!r.contentType().startsWith(ApiResponse.JSON)) {
            return r;
        }
        String t = text.render(decode(request.uri()).path(), r.body());
        return t == null ? r : ApiResponse.text("text/plain; charset=utf-8", t);
    }

    /** RFC 6750: no or a wrong token is 401; a valid token without the scope is 403. */
    private static void authorize(ApiRequest r, Scope scope, Caller caller) {
        if (scope == Scope.METRICS_ONLY) {
            return;
        }
        if (caller.access() == Caller.Access.NONE) {
            throw new ControlException(ControlException.Kind.UNAUTHORIZED, caller.identity().isEmpty()
                    ? "the control TCP port needs a bearer token: pass --token-file FILE or set GANNET_TOKEN"
                    : "the bearer token sent is not one of the daemon's tokens (see gannet run --control-tokens)");
        }
        boolean read = r.method().equals("GET") || r.method().equals("HEAD");
        if (!read && caller.access() != Caller.Access.WRITE) {
            throw new ControlException(ControlException.Kind.FORBIDDEN, "the token '"
                    + caller.identity().replaceFirst("^token=", "") + "' may only read (scope read); "
                    + r.method() + " " + decode(r.uri()).path() + " needs a token with scope write");
        }
    }

    private ApiResponse route(ApiRequest r, Scope scope) {
        QueryStringDecoder uri = decode(r.uri());
        String path = uri.path();
        Map<String, List<String>> q = uri.parameters();
        if (path.equals("/metrics")) {
            expect(r, "GET", q, Set.of());
            return new ApiResponse(200, ApiResponse.PROMETHEUS_TEXT, metrics.scrapeBytes(), Map.of());
        }
        if (scope == Scope.METRICS_ONLY) {
            throw new ControlException(ControlException.Kind.NOT_FOUND, "this address serves only /metrics");
        }
        switch (path) {
            case "/v1/peers" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, Map.of("peers", view.peers()));
            }
            case "/v1/routes" -> {
                expect(r, "GET", q, Set.of("family", "prefix", "longer", "peer", "limit", "for", "advertised", "received", "rejected"));
                String adjRib = null;
                for (String v : List.of("advertised", "received", "rejected")) {
                    if ("true".equals(one(q, v))) {
                        if (adjRib != null) {
                            throw ControlException.badRequest(adjRib + "=true and " + v + "=true: ask for one view at a time");
                        }
                        adjRib = v;
                    } else if (q.containsKey(v) && !"false".equals(one(q, v))) {
                        throw ControlException.badRequest(v + " must be true or false, got '" + one(q, v) + "'");
                    }
                }
                if (adjRib != null) {
                    String view = adjRib;
                    if (one(q, "peer") == null || q.keySet().stream().anyMatch(k -> !Set.of(view, "peer", "family").contains(k)
                            && !"false".equals(one(q, k)))) {
                        throw ControlException.badRequest(view + "=true needs peer=NAME and takes only family besides");
                    }
                    Family family = one(q, "family") == null ? null : Family.parse(one(q, "family"));
                    return ApiResponse.json(200, switch (view) {
                        case "advertised" -> this.view.advertised(one(q, "peer"), family);
                        case "received" -> this.view.received(one(q, "peer"), family);
                        default -> this.view.rejected(one(q, "peer"), family);
                    });
                }
                if (q.containsKey("for")) {
                    if (q.keySet().stream().anyMatch(k -> !k.equals("for") && !"false".equals(one(q, k)))) {
                        throw ControlException.badRequest("'for' takes no other query parameter");
                    }
                    return ApiResponse.json(200, view.routesFor(IpLiteral.parse(one(q, "for"), "for")));
                }
                return ApiResponse.json(200, view.routes(routeQuery(q)));
            }
            case "/v1/bfd" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, Map.of("sessions", view.bfdSessions()));
            }
            case "/v1/vips" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, Map.of("vips", view.vips()));
            }
            case "/v1/services" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, Map.of("services", view.services()));
            }
            case "/v1/policy" -> {
                expect(r, "GET", q, Set.of("endpoint"));
                return ApiResponse.json(200, view.policy(one(q, "endpoint")));
            }
            case "/v1/nat" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, view.nat());
            }
            case "/v1/drops" -> {
                expect(r, "GET", q, Set.of("after"));
                long after;
                try {
                    after = one(q, "after") == null ? 0 : Long.parseLong(one(q, "after"));
                } catch (NumberFormatException e) {
                    throw ControlException.badRequest("after must be a drop sequence number, got '" + one(q, "after") + "'");
                }
                return ApiResponse.json(200, view.drops(after));
            }
            case "/v1/endpoints" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, view.externalEndpoints());
            }
            case "/v1/endpoints/add", "/v1/endpoints/remove" -> {
                expect(r, "POST", q, Set.of());
                return ApiResponse.json(200, EndpointBodies.dispatch(path, r.body(), control));
            }
            case "/v1/ipam" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, Map.of("summary", view.ipamSummary(), "ipam", view.ipam()));
            }
            case "/v1/ipam/allocate", "/v1/ipam/release", "/v1/ipam/reserve", "/v1/ipam/release-address" -> {
                expect(r, "POST", q, Set.of());
                return ApiResponse.json(200, IpamBodies.dispatch(path, r.body(), control));
            }
            case "/v1/announce" -> {
                expect(r, "POST", q, Set.of());
                RequestBodies.Announce body = JsonCodec.readBody(r.body(), RequestBodies.Announce.class);
                return ApiResponse.json(200, control.announce(body.toAnnouncement(), body.forced(), body.persisted()));
            }
            case "/v1/withdraw" -> {
                expect(r, "POST", q, Set.of());
                RequestBodies.Withdraw body = JsonCodec.readBody(r.body(), RequestBodies.Withdraw.class);
                return ApiResponse.json(200, control.withdraw(body.checkedPrefix(), body.forced()));
            }
            case "/v1/reload" -> {
                expect(r, "POST", q, Set.of());
                optionalBody(r, RequestBodies.Empty.class);
                return ApiResponse.json(200, control.reload());
            }
            case "/v1/drain" -> {
                if (r.method().equals("GET")) {
                    expect(r, "GET", q, Set.of());
                    return ApiResponse.json(200, control.drain(null));
                }
                expect(r, "POST", q, Set.of());
                RequestBodies.Drain b = optionalBody(r, RequestBodies.Drain.class);
                return ApiResponse.json(200, control.drain(b == null ? RequestBodies.Drain.DEFAULT_GRACE : b.checkedGrace()));
            }
            case "/v1/openapi.yaml" -> {
                expect(r, "GET", q, Set.of());
                return ApiResponse.text("application/yaml; charset=utf-8", openApi.get());
            }
            default -> {
                return routeWithParameters(r, path, q);
            }
        }
    }

    /** Paths that carry a peer name or a prefix. */
    private ApiResponse routeWithParameters(ApiRequest r, String path, Map<String, List<String>> q) {
        if (path.startsWith(ROUTES) && path.endsWith(DETAIL) && path.length() > ROUTES.length() + DETAIL.length()) {
            expect(r, "GET", q, Set.of());
            IpPrefix prefix = IpPrefix.parse(path.substring(ROUTES.length(), path.length() - DETAIL.length()));
            return ApiResponse.json(200, view.routeDetail(prefix));
        }
        if (path.startsWith(PEERS)) {
            String rest = path.substring(PEERS.length());
            int slash = rest.indexOf('/');
            if (slash < 0 && !rest.isEmpty()) {
                expect(r, "GET", q, Set.of());
                return ApiResponse.json(200, view.peer(rest));
            }
            if (slash > 0) {
                String name = rest.substring(0, slash);
                String action = rest.substring(slash + 1);
                switch (action) {
                    case "disable" -> {
                        expect(r, "POST", q, Set.of());
                        RequestBodies.PeerAction b = optionalBody(r, RequestBodies.PeerAction.class);
                        return ApiResponse.json(200, control.disablePeer(name, b == null ? null : b.checkedMessage()));
                    }
                    case "enable" -> {
                        expect(r, "POST", q, Set.of());
                        optionalBody(r, RequestBodies.Empty.class);
                        return ApiResponse.json(200, control.enablePeer(name));
                    }
                    case "detail" -> {
                        expect(r, "GET", q, Set.of());
                        return ApiResponse.json(200, view.peerDetail(name));
                    }
                    case "refresh" -> {
                        expect(r, "POST", q, Set.of());
                        RequestBodies.Refresh b = JsonCodec.readBody(r.body(), RequestBodies.Refresh.class);
                        return ApiResponse.json(200, control.refreshPeer(name, b.checkedDirection()));
                    }
                    case "reset" -> {
                        expect(r, "POST", q, Set.of());
                        RequestBodies.PeerAction b = optionalBody(r, RequestBodies.PeerAction.class);
                        return ApiResponse.json(200, control.resetPeer(name, b == null ? null : b.checkedMessage()));
                    }
                    default -> { }
                }
            }
        }
        throw new ControlException(ControlException.Kind.NOT_FOUND, "no endpoint " + path + " (see GET /v1/openapi.yaml)");
    }

    private static QueryStringDecoder decode(String uri) {
        try {
            QueryStringDecoder d = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, 64);
            d.path();
            d.parameters();
            return d;
        } catch (IllegalArgumentException e) {
            throw ControlException.badRequest("malformed request target: " + e.getMessage());
        }
    }

    /** Checks the method, the query keys (each at most once) and, for GET, that no body was sent. */
    private static void expect(ApiRequest r, String method, Map<String, List<String>> q, Set<String> allowedKeys) {
        if (!r.method().equals(method)) {
            throw new MethodNotAllowed(method, r.method());
        }
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            if (!allowedKeys.contains(e.getKey())) {
                throw ControlException.badRequest("unknown query parameter '" + e.getKey() + "'"
                        + (allowedKeys.isEmpty() ? " (this endpoint takes none)" : " (allowed: "
                        + String.join(", ", allowedKeys.stream().sorted().toList()) + ")"));
            }
            if (e.getValue().size() > 1) {
                throw ControlException.badRequest("query parameter '" + e.getKey() + "' given more than once");
            }
        }
        if (method.equals("GET") && r.body().length > 0) {
            throw ControlException.badRequest("GET takes no request body");
        }
        if (r.body().length > 0) {
            String ct = r.contentType() == null ? "" : r.contentType().toLowerCase(Locale.ROOT);
            if (!ct.isEmpty() && !ct.startsWith(ApiResponse.JSON)) {
                throw new ControlException(ControlException.Kind.UNSUPPORTED_MEDIA_TYPE,
                        "request body must be application/json, got " + r.contentType());
            }
        }
    }

    private static <T> T optionalBody(ApiRequest r, Class<T> type) {
        return r.body().length == 0 ? null : JsonCodec.readBody(r.body(), type);
    }

    private static RouteQuery routeQuery(Map<String, List<String>> q) {
        Family family = one(q, "family") == null ? null : Family.parse(one(q, "family"));
        IpPrefix prefix = one(q, "prefix") == null ? null : IpPrefix.parse(one(q, "prefix"));
        String longer = one(q, "longer");
        if (longer != null && !longer.equals("true") && !longer.equals("false")) {
            throw ControlException.badRequest("longer must be true or false, got '" + longer + "'");
        }
        String peer = one(q, "peer");
        if (peer != null && peer.isEmpty()) {
            throw ControlException.badRequest("peer filter is empty");
        }
        String limit = one(q, "limit");
        int n = RouteQuery.DEFAULT_LIMIT;
        if (limit != null) {
            if (limit.isEmpty() || limit.length() > 7 || !limit.chars().allMatch(Character::isDigit)) {
                throw ControlException.badRequest("limit must be a number 1.." + RouteQuery.MAX_LIMIT + ", got '" + limit + "'");
            }
            n = Integer.parseInt(limit);
        }
        return new RouteQuery(family, prefix, "true".equals(longer), peer, n);
    }

    private static String one(Map<String, List<String>> q, String key) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String loadOpenApi() {
        try (InputStream in = ControlApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new ControlException(ControlException.Kind.INTERNAL, "openapi.yaml is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 405, which also needs the Allow header (RFC 9110 15.5.6). */
    private static final class MethodNotAllowed extends RuntimeException {
        final String allowed;
        final String got;

        MethodNotAllowed(String allowed, String got) {
            super(got + " instead of " + allowed, null, false, false);
            this.allowed = allowed;
            this.got = got;
        }
    }
}
