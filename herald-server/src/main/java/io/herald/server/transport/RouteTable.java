package io.herald.server.transport;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.server.http.ErrorHandler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Every endpoint the edge serves, each declared once, matched in the order declared: HTTP routes (methods, an
 * exact path or a prefix, the handler chain) and WebSocket endpoints (an exact path or a prefix, or every upgrade
 * no other endpoint claims). The vertx-web {@link Router} is built from it, {@link DirectUpgrades} asks it where an
 * upgrade goes, and a plain GET on a path that only takes upgrades is answered 400 without a route of its own.
 *
 * <p>Paths are written as vertx-web writes them: {@code /admin/v1/sockets/:id/close} is exact (with its
 * parameters), {@code /parties/*} is every path under {@code /parties/}. A socket's path has no parameters.
 * Built and read on one event loop; its entries do not change once the router is built.
 */
public final class RouteTable {
    /** What a declared endpoint serves. */
    public enum Kind {
        /** Plain HTTP requests, through the router. */
        HTTP,
        /** WebSocket upgrades, taken by {@link DirectUpgrades} before the router. */
        WEBSOCKET
    }

    /** How a declared path matches a request's. */
    public enum Match {
        /** The path itself (vertx-web also takes it with one trailing slash). */
        EXACT,
        /** Every path that starts with it. */
        PREFIX,
        /** Every upgrade no other socket endpoint claims, whatever its path: matched after all of them. */
        UNCLAIMED
    }

    /**
     * One declared endpoint as the table lists it. {@code path} is the exact path, or the prefix without its
     * {@code *} ({@code /parties/}), or null for {@link Match#UNCLAIMED}; a socket's method is GET.
     */
    public record Entry(Kind kind, Set<HttpMethod> methods, String path, Match match) {
        @Override
        public String toString() {
            return kind + " " + methods + " " + (match == Match.UNCLAIMED ? "(any unclaimed path)" : path + (match == Match.PREFIX ? "*" : ""));
        }
    }

    private record HttpRoute(Entry entry, List<Handler<RoutingContext>> chain) {
    }

    /** {@code what} names the sockets in the 400 a plain GET on the path gets ("Lane sockets"). */
    private record SocketRoute(Entry entry, DirectUpgrades.Endpoint<?> endpoint, String what) {
        boolean matches(String path) {
            return switch (entry.match()) {
                case EXACT -> path.equals(entry.path());
                case PREFIX -> path.startsWith(entry.path());
                case UNCLAIMED -> true;
            };
        }
    }

    private static final Set<HttpMethod> GET = Set.of(HttpMethod.GET);

    private final ErrorHandler errors;
    /** Handlers every request passes before any endpoint (the CORS handler). */
    private final List<Handler<RoutingContext>> everyRequest = new ArrayList<>();
    /** {@link HttpRoute}s and {@link SocketRoute}s in the order declared. */
    private final List<Object> declared = new ArrayList<>();
    private SocketRoute unclaimed;
    /** The socket endpoints in the order they are matched (the unclaimed one last); set by {@link #router}. */
    private SocketRoute[] matchOrder;

    /** {@code errors} answers every failure, every status the router gives up with, and a plain GET on a socket path. */
    public RouteTable(ErrorHandler errors) {
        this.errors = errors;
    }

    /** A handler every request passes first, before it is matched to an endpoint (the CORS handler). */
    public RouteTable everyRequest(Handler<RoutingContext> handler) {
        open();
        if (!declared.isEmpty()) {
            // vertx-web runs routes in order: a handler for every request after an endpoint would miss its requests
            throw new IllegalStateException("handlers for every request are declared before the endpoints");
        }
        everyRequest.add(handler);
        return this;
    }

    /** A GET route; see {@link #route}. */
    @SafeVarargs
    public final RouteTable get(String path, Handler<RoutingContext>... chain) {
        return route(GET, path, chain);
    }

    /** A POST route; see {@link #route}. */
    @SafeVarargs
    public final RouteTable post(String path, Handler<RoutingContext>... chain) {
        return route(Set.of(HttpMethod.POST), path, chain);
    }

    /**
     * An HTTP route for {@code methods} on {@code path}, its handlers run in order. Their vertx-web types count: a
     * credential check before a {@code BodyHandler} must be a {@code SecurityPolicyHandler}.
     */
    @SafeVarargs
    public final RouteTable route(Set<HttpMethod> methods, String path, Handler<RoutingContext>... chain) {
        open();
        if (methods.isEmpty() || chain.length == 0) {
            throw new IllegalArgumentException("a route needs its methods and a handler: " + path);
        }
        declared.add(new HttpRoute(entry(Kind.HTTP, methods, path), List.copyOf(Arrays.asList(chain))));
        return this;
    }

    /**
     * A WebSocket endpoint on {@code path} (exact, or a prefix ending {@code /*}). A plain GET on it is answered 400,
     * "{@code what} only accept WebSocket upgrades.", unless an HTTP route serves GET on the same path.
     */
    public RouteTable socket(String path, DirectUpgrades.Endpoint<?> endpoint, String what) {
        open();
        if (path.contains("/:")) {
            throw new IllegalArgumentException("a socket path has no parameters: " + path);
        }
        declared.add(new SocketRoute(entry(Kind.WEBSOCKET, GET, path), endpoint, what));
        return this;
    }

    /** The endpoint of every upgrade no other socket endpoint claims, wherever it is declared; a plain GET is left to the routes. */
    public RouteTable unclaimedSockets(DirectUpgrades.Endpoint<?> endpoint) {
        open();
        if (unclaimed != null) {
            throw new IllegalStateException("only one endpoint takes the unclaimed upgrades");
        }
        unclaimed = new SocketRoute(new Entry(Kind.WEBSOCKET, GET, null, Match.UNCLAIMED), endpoint, null);
        declared.add(unclaimed);
        return this;
    }

    private static Entry entry(Kind kind, Set<HttpMethod> methods, String path) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a path starts with /: " + path);
        }
        boolean prefix = path.endsWith("/*");
        return new Entry(kind, Set.copyOf(methods), prefix ? path.substring(0, path.length() - 1) : path,
                prefix ? Match.PREFIX : Match.EXACT);
    }

    private void open() {
        if (matchOrder != null) {
            throw new IllegalStateException("the router is built: the table is complete");
        }
    }

    /**
     * Builds the router: the handlers for every request, then each route in the order declared (with a socket
     * path's 400 for a plain GET where it was declared), then the error handlers. Completes the table.
     */
    public Router router(Vertx vertx) {
        open();
        Router router = Router.router(vertx);
        for (Handler<RoutingContext> h : everyRequest) {
            router.route().handler(h);
        }
        List<SocketRoute> matched = new ArrayList<>();
        for (Object d : declared) {
            if (d instanceof HttpRoute r) {
                Route route = router.route(vertxPath(r.entry()));
                r.entry().methods().forEach(route::method);
                r.chain().forEach(route::handler);
            } else if (d instanceof SocketRoute s && s != unclaimed) {
                refuseShadowed(matched, s);
                matched.add(s);
                if (!servedOverHttp(s.entry())) {
                    String message = s.what() + " only accept WebSocket upgrades.";
                    router.get(vertxPath(s.entry())).handler(ctx -> errors.respond(ctx.request(),
                            new HeraldException(ErrorCode.BAD_REQUEST, message)));
                }
            }
        }
        if (unclaimed != null) {
            matched.add(unclaimed);
        }
        router.route().failureHandler(errors);
        // 400 also for a path Vert.x cannot decode (/sse/%zz), which it answers without a status
        for (int status : new int[] {400, 404, 405, 413, 500}) {
            router.errorHandler(status, ctx -> errors.handle(ctx, status));
        }
        matchOrder = matched.toArray(SocketRoute[]::new);
        return router;
    }

    /**
     * Refuses a socket endpoint that no upgrade could reach, every path it matches being taken by one declared
     * before it (the same path, or a prefix of it): a configured path such as {@code lanes.basePath} that lands on
     * another primitive's would otherwise lose its sockets to it without a word.
     */
    private static void refuseShadowed(List<SocketRoute> before, SocketRoute s) {
        for (SocketRoute m : before) {
            boolean shadowed = m.entry().match() == Match.PREFIX ? s.entry().path().startsWith(m.entry().path())
                    : s.entry().match() == Match.EXACT && s.entry().path().equals(m.entry().path());
            if (shadowed) {
                throw new IllegalStateException(s.what() + " at " + vertxPath(s.entry()) + " would get no upgrade: "
                        + m.what() + " at " + vertxPath(m.entry()) + ", matched first, take every one of its paths."
                        + " Give them different paths in the configuration.");
            }
        }
    }

    /** Whether an HTTP route serves GET on exactly the path (or prefix) of {@code socket}: then it answers a plain GET. */
    private boolean servedOverHttp(Entry socket) {
        for (Object d : declared) {
            if (d instanceof HttpRoute r && r.entry().match() == socket.match() && r.entry().path().equals(socket.path())
                    && r.entry().methods().contains(HttpMethod.GET)) {
                return true;
            }
        }
        return false;
    }

    private static String vertxPath(Entry e) {
        return e.match() == Match.PREFIX ? e.path() + "*" : e.path();
    }

    /**
     * The socket endpoint an upgrade to {@code path} (leading slashes collapsed) goes to: the first declared that
     * matches, the unclaimed one last; null leaves the request to the router. Valid once the router is built.
     */
    public DirectUpgrades.Endpoint<?> socketAt(String path) {
        for (SocketRoute s : matchOrder) {
            if (s.matches(path)) {
                return s.endpoint();
            }
        }
        return null;
    }

    /** Every declared endpoint, in the order declared (the handlers for every request are not endpoints). */
    public List<Entry> entries() {
        List<Entry> entries = new ArrayList<>(declared.size());
        for (Object d : declared) {
            entries.add(d instanceof HttpRoute r ? r.entry() : ((SocketRoute) d).entry());
        }
        return entries;
    }
}
