package io.herald.server;

import io.herald.server.transport.ConnectionGuard;
import io.herald.server.transport.DirectUpgrades;
import io.herald.server.transport.RouteTable;

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
    /** The methods a room's onRequest answers (a GET with an upgrade joins the room instead). */
    private static final Set<HttpMethod> ROOM_METHODS = Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

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
    private HttpServer server;
    private ErrorHandler errors;
    /** What {@link #start} declared; read by the OpenAPI test through {@link HeraldServer#routes()}. */
    private RouteTable routes;

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
        sockets = new Sockets(connections, sc.maxConnections(), sc.pingIntervalMs());
        streams = SseTransport.keepalives(herald.config().channels().heartbeatMs());
        Context context = this.context;
        FrameWriter loop = new FrameWriter(io.herald.server.transport.VertxInternals.eventLoop(context),
                java.util.concurrent.TimeUnit.MICROSECONDS.toNanos(sc.flushDelayMicros()));
        RouteTable routes = routes(sc, context, loop);
        this.routes = routes;
        Router router = routes.router(vertx);
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
        DirectUpgrades direct = new DirectUpgrades(routes::socketAt, sockets, loop, errors, sc.maxPendingBytes(), herald.meters());
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
     * Everything this verticle serves, one endpoint a line, matched in this order: the table its router and its
     * WebSocket upgrades are built from. In a handler chain, {@code server} checks the server credential and
     * {@code body} reads the request body.
     */
    private RouteTable routes(ServerConfig sc, Context context, FrameWriter loop) {
        errors = new ErrorHandler(herald.meters());
        JsonBodies bodies = new JsonBodies();
        BodyHandler body = BodyHandler.create(false).setBodyLimit(sc.maxBodyBytes());
        // The server credential is checked before the body is read: no 413/415 hints to anonymous callers.
        // A SecurityPolicyHandler, because Vert.x refuses a BodyHandler after an ordinary (USER) handler.
        SecurityPolicyHandler server = ctx -> {
            herald.serverCredential().require(new io.herald.server.http.RequestCredentials(ctx.request()));
            ctx.next();
        };
        SocketDirectory directory = admin == null ? SocketDirectory.off() : admin.sockets();
        TicketHandler tickets = new TicketHandler(herald, bodies);
        BroadcastSocketHandler broadcast = new BroadcastSocketHandler(herald, directory);
        String lanes = herald.config().lanes().basePath();
        LanePublishHandler lanePublish = new LanePublishHandler(herald, bodies);
        LaneSocketHandler laneSocket = new LaneSocketHandler(herald, directory);
        // Upgrades to rooms are taken before the router; plain HTTP goes to the room's onRequest, its credentials
        // checked before the body is read, as for the server API.
        RoomRequestHandler parties = new RoomRequestHandler(herald, context, "/parties", errors);
        RoomRequestHandler realtime = new RoomRequestHandler(herald, context, "/realtime", errors);
        ChannelsHandler channels = new ChannelsHandler(herald, loop, streams, bodies, directory);

        RouteTable routes = new RouteTable(errors);
        if (!sc.allowedOrigins().isEmpty()) {
            routes.everyRequest(cors(sc));
        }
        routes.get("/healthz", OpsHandlers.health())
                .get("/readyz", OpsHandlers.ready(draining::get, herald.broker()::available))
                .get("/metrics", OpsHandlers.metrics(registry))
                // documentation, without credentials (docs/openapi.yaml, converted once)
                .get("/openapi.json", OpenApiDocument.handler());
        // /realtime/v1 is broadcast's alias: declared before the /realtime/ rooms, so that it is not a room
        routes.post("/broadcast/v1/ws-ticket", body, tickets)
                .socket("/broadcast/v1/websocket", broadcast, "Broadcast sockets")
                .post("/realtime/v1/ws-ticket", body, tickets)
                .socket("/realtime/v1/websocket", broadcast, "Broadcast sockets")
                .post("/broadcast/v1/changes", server, body, PublishHandler.changes(herald, bodies))
                .post("/broadcast/v1/broadcast", server, body, PublishHandler.broadcasts(herald, bodies));
        routes.post(lanes + "/publish", (SecurityPolicyHandler) lanePublish::authorize, body, lanePublish::publish);
        if (lanes.isEmpty()) {
            // basePath "" mounts lanes HopeFlow-style: the upgrade at /, and any upgrade no other endpoint claims
            routes.socket("/", laneSocket, "Lane sockets").unclaimedSockets(laneSocket);
        } else {
            routes.socket(lanes + "/websocket", laneSocket, "Lane sockets");
        }
        routes.socket("/parties/*", new RoomSocketHandler(herald, context, "/parties", directory, sockets), "Room sockets")
                .route(ROOM_METHODS, "/parties/*", (SecurityPolicyHandler) parties::check, body, parties::handle)
                .socket("/realtime/*", new RoomSocketHandler(herald, context, "/realtime", directory, sockets), "Room sockets")
                .route(ROOM_METHODS, "/realtime/*", (SecurityPolicyHandler) realtime::check, body, realtime::handle);
        routes.get("/sse/*", ctx -> channels.subscribe(ctx, "/sse/"))
                .get("/channels/v1/sse/*", ctx -> channels.subscribe(ctx, "/channels/v1/sse/"))
                .get("/channels/v1/poll/*", channels::poll)
                .post("/channels/v1/publish", server, body, channels::publish);
        routes.get("/cluster/v1/nodes", server, new NodesHandler(nodes));
        if (admin != null) {
            // when off, /admin/ and /admin/v1/* are unknown routes: 404 like any other
            AdminRoutes a = new AdminRoutes(admin, bodies);
            routes.get("/admin", a::page)
                    .get("/admin/:file", a::file)
                    .get("/admin/v1/snapshot", server, a::snapshot)
                    .get("/admin/v1/stream", server, a::stream)
                    .post("/admin/v1/publish", server, body, a::publish)
                    .post("/admin/v1/tokens", server, body, a::tokens)
                    .post("/admin/v1/sockets/:id/close", server, a::closeSocket)
                    .post("/admin/v1/rooms/:party/:room/unload", server, a::unloadRoom);
        }
        if (examples != null) {
            routes.get("/examples", examples::index)
                    .get("/examples/:file", examples::file)
                    .get("/examples/lib/:file", examples::library);
        }
        return routes;
    }

    private static CorsHandler cors(ServerConfig sc) {
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
        return cors;
    }

    int actualPort() {
        return server.actualPort();
    }

    /** The endpoints this verticle serves (every instance declares the same ones); for tests of the route table. */
    RouteTable routes() {
        return routes;
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
