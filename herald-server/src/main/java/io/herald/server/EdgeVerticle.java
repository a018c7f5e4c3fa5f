package io.herald.server;

import io.herald.server.transport.ConnectionGuard;
import io.herald.server.transport.DirectUpgrades;

import io.herald.server.transport.FrameWriter;
import io.herald.server.transport.LivenessSweep;
import io.herald.server.transport.Sockets;
import io.herald.server.transport.SseTransport;

import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.config.ServerConfig;
import io.herald.server.admin.Admin;
import io.herald.server.admin.AdminRoutes;
import io.herald.server.admin.SocketDirectory;
import io.herald.server.broadcast.BroadcastSocketHandler;
import io.herald.server.broadcast.PublishHandler;
import io.herald.server.broadcast.TicketHandler;
import io.herald.server.cluster.ClusterNodes;
import io.herald.server.cluster.NodesHandler;
import io.herald.server.examples.ExamplesPage;
import io.herald.server.http.ErrorHandler;
import io.herald.server.http.JsonBodies;
import io.herald.server.http.OpenApiDocument;
import io.herald.server.http.OpsHandlers;
import io.herald.server.room.RoomRequestHandler;
import io.herald.server.room.RoomSocketHandler;
import io.herald.server.tls.ServerTls;
import io.herald.server.channel.ChannelsHandler;
import io.herald.server.lane.LanePublishHandler;
import io.herald.server.lane.LaneSocketHandler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's share of the edge: an HTTP server on the shared port (Vert.x balances accepted
 * connections across the instances), its router, and the sockets it owns. Confined to its event loop.
 */
final class EdgeVerticle extends VerticleBase {
    private final Herald herald;
    private final PrometheusMeterRegistry registry;
    private final int port;
    private final AtomicInteger connections;
    private final AtomicBoolean draining;
    /** Null for plain HTTP. */
    private final ServerTls tls;
    private final ClusterNodes nodes;
    /** Null when {@code admin.enabled} is off: no admin route exists then. */
    private final Admin admin;
    /** Null outside dev mode: no /examples/ route exists then. */
    private final ExamplesPage examples;
    private Sockets sockets;
    /** This loop's SSE streams, for their keepalives. */
    private LivenessSweep<SseTransport> streams;
    private BroadcastSocketHandler broadcastSocket;
    private RoomSocketHandler partiesSocket;
    private RoomSocketHandler realtimeSocket;
    private LaneSocketHandler laneSocket;
    private String lanesBase;
    private HttpServer server;
    private ErrorHandler errors;
    /** What {@link #start} built; read by the OpenAPI test through {@link HeraldServer#router()}. */
    private Router router;

    EdgeVerticle(Herald herald, PrometheusMeterRegistry registry, int port, AtomicInteger connections, AtomicBoolean draining,
            ServerTls tls, ClusterNodes nodes, Admin admin, ExamplesPage examples) {
        this.herald = herald;
        this.examples = examples;
        this.admin = admin;
        this.nodes = nodes;
        this.tls = tls;
        this.registry = registry;
        this.port = port;
        this.connections = connections;
        this.draining = draining;
    }

    @Override
    public Future<?> start() {
        ServerConfig sc = herald.config().server();
        lanesBase = herald.config().lanes().basePath();
        sockets = new Sockets(connections, sc.maxConnections(), sc.pingIntervalMs());
        streams = SseTransport.keepalives(herald.config().channels().heartbeatMs());
        Context context = this.context;
        FrameWriter loop = new FrameWriter(io.herald.server.transport.VertxInternals.eventLoop(context),
                java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(sc.flushDelayMicros()));
        Router router = router(sc, context, loop);
        this.router = router;
        // one liveness sweep per kind on this loop: pings for WebSockets, keepalives for SSE streams
        sockets.startPings(vertx);
        streams.start(vertx);
        // Vert.x's limit is per server; each primitive enforces its own tighter limit on top.
        HttpServerOptions options = new HttpServerOptions()
                .setHost(sc.host())
                .setPort(port)
                // every socket is Herald's own (DirectUpgrades), which negotiates no extension; with these off
                // Vert.x puts no WebSocket extension handler in the pipeline either. No compression: frames are
                // encoded once, uncompressed (docs/yjs.md, section 10)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false)
                // every response is written on its loop (async results come back through the context), so
                // Vert.x can skip its cross-thread write queue: a 1 024-slot MPSC chunk, 4 KiB per connection
                .setStrictThreadMode(true)
                .setTcpNoDelay(true);
        if (tls != null) {
            tls.configure(options);
        }
        // port 0: every instance of this verticle must share one random port, which Vert.x does only for a shared random port id
        SocketAddress address = port == 0 ? SocketAddress.sharedRandomPort(1, sc.host()) : SocketAddress.inetSocketAddress(port, sc.host());
        DirectUpgrades direct = new DirectUpgrades(this::directRoute, sockets, loop, errors, sc.maxPendingBytes(), herald.meters());
        return vertx.createHttpServer(options).requestHandler(router)
                // called as Vert.x sets up each connection's pipeline, before any request is read
                .connectionHandler(conn -> {
                    io.netty.channel.ChannelPipeline pipeline = io.herald.server.transport.VertxInternals.pipeline(conn);
                    // the guard first, so the upgrade interceptor goes between it and Vert.x's handler
                    ConnectionGuard.install(pipeline);
                    direct.install(pipeline);
                })
                .invalidRequestHandler(EdgeVerticle::invalid).listen(address)
                .onSuccess(s -> {
                    server = s;
                    if (tls != null) {
                        tls.serve(s);
                    }
                });
    }

    /** A request Netty could not decode still gets a JSON error (Vert.x's default sends an empty body), then the connection closes. */
    private static void invalid(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        ErrorCode code = cause instanceof io.netty.handler.codec.http.TooLongHttpLineException ? ErrorCode.URI_TOO_LONG
                : cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException ? ErrorCode.HEADERS_TOO_LARGE
                : ErrorCode.BAD_REQUEST;
        request.response().putHeader("Connection", "close");
        ErrorHandler.send(request.response(), new io.herald.HeraldException(code));
        request.connection().close();
    }

    /**
     * Where a WebSocket upgrade for {@code path} goes: every socket is served by {@link DirectUpgrades}, below
     * Vert.x; null leaves the request to the router (an unknown path: 404).
     */
    private DirectUpgrades.Endpoint<?> directRoute(String path) {
        if (path.equals("/broadcast/v1/websocket") || path.equals("/realtime/v1/websocket")) {
            return broadcastSocket;
        }
        if (path.startsWith("/parties/")) {
            return partiesSocket;
        }
        if (path.startsWith("/realtime/")) {
            return realtimeSocket;
        }
        // basePath "" mounts lanes HopeFlow-style: any upgrade no other route claims is a lane socket
        return path.equals(lanesBase + "/websocket") || lanesBase.isEmpty() ? laneSocket : null;
    }

    /** A plain GET on a socket endpoint: 400, it only takes upgrades (which never reach the router). */
    private void notAnUpgrade(io.vertx.ext.web.RoutingContext ctx, String what) {
        errors.respond(ctx.request(), new io.herald.HeraldException(ErrorCode.BAD_REQUEST, what + " only accept WebSocket upgrades."));
    }

    private Router router(ServerConfig sc, Context context, FrameWriter loop) {
        Router router = Router.router(vertx);
        errors = new ErrorHandler(herald.meters());
        JsonBodies bodies = new JsonBodies();
        if (!sc.allowedOrigins().isEmpty()) {
            CorsHandler cors = CorsHandler.create()
                    .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS,
                            // a room's onRequest may answer these too
                            HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE))
                    .allowedHeaders(Set.of("Authorization", "Content-Type", "x-api-key",
                            // the workkit client resumes a channel stream with this header (an EventSource sends it too)
                            "Last-Event-ID"));
            if (sc.allowedOrigins().contains("*")) {
                cors.addOrigin("*");
            } else {
                cors.addOrigins(sc.allowedOrigins()).allowCredentials(true);
            }
            router.route().handler(cors);
        }
        router.get("/healthz").handler(OpsHandlers.health());
        router.get("/readyz").handler(OpsHandlers.ready(draining::get, herald.broker()::available));
        router.get("/metrics").handler(OpsHandlers.metrics(registry));
        // documentation, without credentials (docs/openapi.yaml, converted once)
        router.get("/openapi.json").handler(OpenApiDocument.handler());

        BodyHandler body = BodyHandler.create(false).setBodyLimit(sc.maxBodyBytes());
        TicketHandler tickets = new TicketHandler(herald, bodies);
        SocketDirectory directory = admin == null ? SocketDirectory.off() : admin.sockets();
        broadcastSocket = new BroadcastSocketHandler(herald, directory);
        partiesSocket = new RoomSocketHandler(herald, context, "/parties", directory, sockets);
        realtimeSocket = new RoomSocketHandler(herald, context, "/realtime", directory, sockets);
        laneSocket = new LaneSocketHandler(herald, directory);
        for (String base : new String[] {"/broadcast/v1", "/realtime/v1"}) {
            router.post(base + "/ws-ticket").handler(body).handler(tickets);
            router.get(base + "/websocket").handler(ctx -> notAnUpgrade(ctx, "Broadcast sockets"));
        }
        LanePublishHandler lanePublish = new LanePublishHandler(herald, bodies);
        router.post(lanesBase + "/publish").handler((SecurityPolicyHandler) lanePublish::authorize).handler(body)
                .handler(lanePublish::publish);
        router.get(lanesBase.isEmpty() ? "/" : lanesBase + "/websocket").handler(ctx -> notAnUpgrade(ctx, "Lane sockets"));
        // Upgrades to rooms were taken below Vert.x (DirectUpgrades); what reaches the router here is plain HTTP,
        // for the room's onRequest. The credentials are checked before the body is read, as for the server API.
        for (String prefix : new String[] {"/parties", "/realtime"}) {
            RoomRequestHandler requests = new RoomRequestHandler(herald, context, prefix, errors);
            io.vertx.ext.web.Route route = router.route(prefix + "/*");
            for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE}) {
                route.method(m);
            }
            route.handler((SecurityPolicyHandler) requests::check).handler(body).handler(requests::handle);
        }
        // The server credential is checked before the body is read: no 413/415 hints to anonymous callers.
        // A SecurityPolicyHandler, because Vert.x refuses a BodyHandler after an ordinary (USER) handler.
        SecurityPolicyHandler server = ctx -> {
            herald.serverCredential().require(new io.herald.server.http.RequestCredentials(ctx.request()));
            ctx.next();
        };
        router.post("/broadcast/v1/changes").handler(server).handler(body).handler(PublishHandler.changes(herald, bodies));
        router.post("/broadcast/v1/broadcast").handler(server).handler(body).handler(PublishHandler.broadcasts(herald, bodies));
        ChannelsHandler channels = new ChannelsHandler(herald, loop, streams, bodies, directory);
        router.get("/sse/*").handler(ctx -> channels.subscribe(ctx, "/sse/"));
        router.get("/channels/v1/sse/*").handler(ctx -> channels.subscribe(ctx, "/channels/v1/sse/"));
        router.get("/channels/v1/poll/*").handler(channels::poll);
        router.post("/channels/v1/publish").handler(server).handler(body).handler(channels::publish);
        router.get("/cluster/v1/nodes").handler(server).handler(new NodesHandler(nodes));
        if (admin != null) {
            // when off, /admin/ and /admin/v1/* are unknown routes: 404 like any other
            new AdminRoutes(admin, bodies).mount(router, server, body);
        }
        if (examples != null) {
            examples.mount(router);
        }

        router.route().failureHandler(errors);
        for (int status : new int[] {400, 404, 405, 413, 500}) {
            router.errorHandler(status, ctx -> errors.handle(ctx, status));
        }
        return router;
    }

    int actualPort() {
        return server.actualPort();
    }

    /** The routes this verticle serves (every instance builds the same ones); for tests of the route table. */
    Router router() {
        return router;
    }

    /** The SSE streams in this loop's keepalive sweep, counted on the loop; for tests. */
    Future<Integer> sweptStreams() {
        io.vertx.core.Promise<Integer> p = io.vertx.core.Promise.promise();
        context.runOnContext(v -> p.complete(streams.size()));
        return p.future();
    }

    @Override
    public Future<?> stop() {
        sockets.closeAll();
        // SSE streams end too, as the connections they are on would with the server
        streams.closeAll(ErrorCode.SHUTTING_DOWN.closeCode(), "server shutting down");
        return server == null ? Future.succeededFuture() : server.close();
    }
}
