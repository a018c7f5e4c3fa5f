package io.herald.server;

import io.herald.server.transport.AcceptGuard;
import io.herald.server.transport.ConnectionCounts;
import io.herald.server.transport.GuardedTransport;

import io.herald.Herald;
import io.herald.Meters;
import io.herald.config.HeraldConfig;
import io.herald.postgres.PostgresStorage;
import io.herald.postgres.cdc.PostgresCdc;
import io.herald.redis.RedisBroker;
import io.herald.server.admin.Admin;
import io.herald.server.cluster.ClusterNodes;
import io.herald.server.examples.ExamplesPage;
import io.herald.server.tls.ServerTls;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A running Herald server: the engine plus its Vert.x edge, one {@link EdgeVerticle} per event loop
 * on one port. {@link #start} blocks until it listens; {@link #close} stops at once (sockets get 1012), and
 * {@link #closeGracefully} first tells load balancers through {@code /readyz} for {@code server.drainDelayMs}.
 * Embedding applications use {@link #herald()} to publish in-process. Thread-safe.
 *
 * <p>When the {@code cluster} section names a Redis, the engine publishes through a {@link RedisBroker}
 * on this server's Vert.x instance, which joins the cluster before the server listens and leaves it
 * first when the server closes; without it the engine keeps its in-memory broker.
 *
 * <p>When {@code storage.url} names a PostgreSQL database, rooms are stored there through a
 * {@link PostgresStorage} opened (schema created if missing) before anything else starts; without it the
 * engine stores them in its SQLite file, which it refuses in a cluster.
 */
public final class HeraldServer implements AutoCloseable {
    private final Herald herald;
    private final Vertx vertx;
    private final int port;
    private final AtomicBoolean draining;
    private final Transport transport;
    /** Null for plain HTTP. */
    private final ServerTls tls;
    /** Null on a single node. */
    private final RedisBroker broker;
    /** The change-capture reader, or null when {@code cdc} is not configured. */
    private final PostgresCdc cdc;
    /** Null when {@code admin.enabled} is off. */
    private final Admin admin;
    /** Whether {@code /examples/} is served: in dev mode, when the jar has them. */
    private final boolean examples;
    /** The edge verticles, one per event loop; the first's route table is the one the OpenAPI test reads. */
    private final List<EdgeVerticle> edges;
    private final RuntimeMeters runtimeMeters;
    /** Counted down by the first {@link #close}: ends a graceful close's drain delay early. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();

    private HeraldServer(Herald herald, Vertx vertx, int port, AtomicBoolean draining, Transport transport, ServerTls tls,
            RedisBroker broker, PostgresCdc cdc, Admin admin, boolean examples, List<EdgeVerticle> edges, RuntimeMeters runtimeMeters) {
        this.herald = herald;
        this.edges = edges;
        this.runtimeMeters = runtimeMeters;
        this.examples = examples;
        this.admin = admin;
        this.cdc = cdc;
        this.broker = broker;
        this.tls = tls;
        this.vertx = vertx;
        this.port = port;
        this.draining = draining;
        this.transport = transport;
    }

    /** Starts a server on {@code config} (port 0 picks a free port) and waits until it listens. */
    public static HeraldServer start(HeraldConfig config) {
        return start(config, b -> { });
    }

    /**
     * Starts a server on what {@link io.herald.server.config.ConfigLoader} loaded: in dev mode (it generated the
     * secrets) the admin page may also mint test credentials.
     */
    public static HeraldServer start(io.herald.server.config.ConfigLoader.Loaded loaded) {
        return start(loaded.config(), b -> { }, loaded.devMode(), null);
    }

    /**
     * As {@link #start(io.herald.server.config.ConfigLoader.Loaded)}, with the engine completed in code by
     * {@code embedder}, and Herald's own meters also registered in {@code meterRegistry} (an embedding application's,
     * such as Spring Boot's; null for none). The JVM's meters stay on this server's {@code /metrics} only.
     */
    public static HeraldServer start(io.herald.server.config.ConfigLoader.Loaded loaded, Consumer<Herald.Builder> embedder,
                                     MeterRegistry meterRegistry) {
        return start(loaded.config(), embedder, loaded.devMode(), meterRegistry);
    }

    /**
     * Starts a server whose engine an embedder completes in code before it is built (a
     * {@link io.herald.channel.ChannelAuthorizer}, rooms bound in code, another storage), and waits
     * until it listens. The server sets the meter registry itself.
     */
    public static HeraldServer start(HeraldConfig config, Consumer<Herald.Builder> embedder) {
        return start(config, embedder, false, null);
    }

    private static HeraldServer start(HeraldConfig config, Consumer<Herald.Builder> embedder, boolean devMode, MeterRegistry also) {
        // first: a bad certificate is a configuration error, reported before anything is started
        ServerTls tls = config.server().tls() == null ? null : ServerTls.load(config.server().tls());
        // next: an unreachable database is also reported before Vert.x and the cluster are started
        PostgresStorage postgres;
        try {
            postgres = config.storage().postgres() ? PostgresStorage.open(config.storage()) : null;
        } catch (RuntimeException e) {
            if (tls != null) {
                tls.close();
            }
            throw e;
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RuntimeMeters runtimeMeters = RuntimeMeters.bind(registry);
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        Transport transport = transport(config.server().transport());
        // Herald's meters: on /metrics, and in the embedder's registry too when one is given
        MeterRegistry meters = also == null ? registry : new CompositeMeterRegistry(Clock.SYSTEM, List.of(registry, also));
        ConnectionCounts counts = new ConnectionCounts(config.server());
        io.micrometer.core.instrument.Gauge.builder("herald.http.connections", counts, ConnectionCounts::httpConnections)
                .description("Open plain HTTP connections (not upgraded; SSE streams included)").register(meters);
        // Vert.x comes before the engine, whose broker may run on it. The guard counts its refusals on the
        // registry the engine is given too: a counter is registered once per name and tags, so both count into it.
        AcceptGuard acceptGuard = new AcceptGuard(counts, new Meters(meters), config.server(),
                config.cluster().redis().enabled() ? config.cluster().nodeId() : null);
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops))
                .withTransport(new GuardedTransport(transport, acceptGuard)).build();
        Supplier<Map<String, Integer>> connectionsByPrimitive = ClusterNodes.connections(registry);
        RedisBroker broker = null;
        Herald herald = null;
        AtomicReference<PostgresCdc> cdc = new AtomicReference<>();
        AtomicReference<Admin> admin = new AtomicReference<>();
        Supplier<java.util.Set<String>> roles = () -> {
            PostgresCdc c = cdc.get();
            return c != null && c.leader() ? java.util.Set.of(io.herald.redis.NodeInfo.CDC_LEADER) : java.util.Set.of();
        };
        try {
            broker = config.cluster().redis().enabled() ? joinCluster(vertx, config, connectionsByPrimitive, roles) : null;
            Herald.Builder builder = Herald.builder(config);
            if (broker != null) {
                builder.broker(broker).roomLeases(broker.roomLeases(java.time.Duration.ofMillis(config.rooms().leaseMs())));
            }
            if (postgres != null) {
                builder.storage(postgres);
            }
            embedder.accept(builder);
            herald = builder.meterRegistry(meters).build();
            herald.meters().registerDropCounters();
            if (postgres != null && herald.storage() != postgres) {
                // the embedder gave its own storage: the configured pool is not used
                postgres.close();
            }
            AtomicReference<String> address = new AtomicReference<>("");
            if (config.cdc().enabled()) {
                // after the engine (it publishes through the hub) and before listening: a database that cannot
                // serve change capture stops the start with what to change
                cdc.set(PostgresCdc.start(config.cdc().postgres(), herald.broadcast(), meters));
            }
            ClusterNodes nodes = broker != null ? ClusterNodes.of(broker)
                    : ClusterNodes.single(config.cluster().nodeId(), address::get, Instant.now(), connectionsByPrimitive, roles);
            AtomicInteger connections = new AtomicInteger();
            AtomicBoolean draining = new AtomicBoolean();
            Herald engine = herald;
            // every socket and SSE stream the server may hold: the most the directory ever lists
            admin.set(config.admin().enabled() ? Admin.start(herald, vertx, registry, nodes, devMode,
                    config.server().maxConnections() + config.server().maxHttpConnections()) : null);
            Admin pages = admin.get();
            // the examples rely on dev mode's minted credentials and example configuration: never served otherwise
            ExamplesPage examples = devMode ? ExamplesPage.load().orElse(null) : null;
            EdgeVerticle first = new EdgeVerticle(engine, registry, config.server().port(), connections, draining, tls, nodes, pages, examples);
            List<EdgeVerticle> edges = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(first));
            await(vertx.deployVerticle(first, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP)));
            int port = first.actualPort();
            if (loops > 1) {
                // the configured port, not the actual one: with port 0 the instances share the first one's random port
                await(vertx.deployVerticle(() -> {
                    EdgeVerticle edge = new EdgeVerticle(engine, registry, config.server().port(), connections, draining, tls, nodes, pages, examples);
                    edges.add(edge);
                    return edge;
                }, new DeploymentOptions().setInstances(loops - 1)));
            }
            address.set(config.server().host() + ":" + port);
            if (broker != null) {
                broker.advertise(address.get());
            }
            if (tls != null) {
                // every server is registered by now, so none misses a reload
                tls.watch();
            }
            MinuteTotals totals = new MinuteTotals(registry);
            vertx.setPeriodic(MinuteTotals.PERIOD_MS, id -> totals.next().ifPresent(MinuteTotals::log));
            return new HeraldServer(herald, vertx, port, draining, transport, tls, broker, cdc.get(), pages, examples != null, edges,
                    runtimeMeters);
        } catch (RuntimeException e) {
            if (admin.get() != null) {
                admin.get().close();
            }
            if (cdc.get() != null) {
                cdc.get().close();
            }
            if (tls != null) {
                tls.close();
            }
            if (broker != null) {
                awaitQuietly(broker.closeAsync());
            }
            await(vertx.close());
            if (herald != null) {
                herald.close();
            } else if (postgres != null) {
                postgres.close();
            }
            runtimeMeters.close();
            throw e;
        }
    }

    /**
     * Joins the cluster of {@code config.cluster()} on {@code vertx}: fails with a {@link io.herald.config.ConfigException}
     * on {@code cluster.nodeId} when a live node has this node's id, or on {@code cluster.redis} when Redis cannot be
     * reached (naming the URLs without their credentials).
     */
    private static RedisBroker joinCluster(Vertx vertx, HeraldConfig config, Supplier<Map<String, Integer>> connections,
                                           Supplier<java.util.Set<String>> roles) {
        try {
            return await(RedisBroker.builder(vertx, config.cluster()).connections(connections).roles(roles).start());
        } catch (io.herald.config.ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            List<String> where = config.cluster().redis().endpoints().stream().map(HeraldServer::withoutCredentials).toList();
            throw new io.herald.config.ConfigException("cluster.redis", "cannot reach Redis at " + String.join(", ", where)
                    + ": " + e.getMessage());
        }
    }

    /** {@code url} without its user and password, for an error message. */
    static String withoutCredentials(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + url.substring(at + 1) : url;
    }

    /**
     * The socket transport for {@code server.transport}. {@code auto} takes epoll where its native library loads
     * (Linux x86_64/aarch64), else NIO: epoll writes without NIO's per-write locking and selector bookkeeping
     * (docs/benchmarks.md). io_uring spends less CPU per delivery but is used only when named: Netty's io_uring
     * channels still complete reads after auto-read is turned off, so a socket past its outbound limit is still
     * read, and a client that keeps asking while it does not read may be closed with 1013 where epoll leaves it
     * open. A transport asked for by name must load; io_uring also needs a kernel (and a container's seccomp
     * profile) that allows it.
     */
    static Transport transport(String name) {
        Transport t = switch (name) {
            case "nio" -> Transport.NIO;
            case "epoll" -> Transport.EPOLL;
            case "io_uring" -> Transport.IO_URING;
            default -> loads(Transport.EPOLL) ? Transport.EPOLL : Transport.NIO;
        };
        if (t == null) {
            // Vert.x leaves a native transport null when its Netty classes are not on the classpath
            throw new io.herald.config.ConfigException("server.transport",
                    "'" + name + "' is not available here: Netty's " + name + " transport is not on the classpath");
        }
        if (!t.available()) {
            throw new io.herald.config.ConfigException("server.transport",
                    "'" + name + "' is not available here: " + t.unavailabilityCause());
        }
        return t;
    }

    private static boolean loads(Transport t) {
        return t != null && t.available();
    }

    private static <T> T await(io.vertx.core.Future<T> f) {
        return await(f.toCompletionStage().toCompletableFuture());
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out", e);
        }
    }

    /** The socket transport in use: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name();
    }

    /** Whether this server serves the examples at {@code /examples/} (dev mode, and the jar was built with them). */
    public boolean servesExamples() {
        return examples;
    }

    /**
     * The route table of one edge verticle (they all declare the same endpoints): for the test that compares them
     * with docs/openapi.yaml. Package-private, and nothing in the server uses it.
     */
    io.herald.server.transport.RouteTable routes() {
        return edges.get(0).routes();
    }

    /**
     * The SSE streams in the keepalive sweeps of every event loop, each counted on its loop: for the test
     * that streams leave the sweep when they close. Package-private, and nothing in the server uses it.
     */
    int sweptStreams() {
        int n = 0;
        for (EdgeVerticle e : edges) {
            n += await(e.sweptStreams());
        }
        return n;
    }

    /** The port the server listens on. */
    public int port() {
        return port;
    }

    /** Whether {@link #close} has begun: from then on {@code /readyz} answers 503 and sockets are being closed. */
    public boolean draining() {
        return draining.get();
    }

    /** The engine: publish in-process through {@code herald().broadcast()}. */
    public Herald herald() {
        return herald;
    }

    private static void awaitQuietly(CompletableFuture<?> f) {
        try {
            f.get(RedisBroker.COMMAND_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // closing anyway: the other nodes drop this one when its heartbeat expires
        }
    }

    /**
     * Stops as {@link #close} does, after {@code server.drainDelayMs} (see {@link #closeGracefully(Duration)}).
     * What {@code herald serve} does on SIGTERM or Ctrl-C.
     */
    public void closeGracefully() {
        closeGracefully(Duration.ofMillis(herald.config().server().drainDelayMs()));
    }

    /**
     * Stops after {@code delay}: from this call on {@code /readyz} answers 503 {@code shutting_down}, while
     * everything else is served as before (open sockets keep receiving, new sockets and requests are still
     * accepted), so a load balancer that checks {@code /readyz} takes this node out of rotation before its
     * sockets close with 1012; then {@link #close}. Blocks the caller for the delay and the close; a
     * {@link #close} from another thread ends the delay at once. An interrupt ends the delay and closes.
     */
    public void closeGracefully(Duration delay) {
        draining.set(true);
        try {
            closing.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /**
     * Stops at once: stops accepting, leaves the cluster (so other nodes stop waiting for this one's delivery
     * counts), closes every socket with 1012, and releases the engine. Only the first call does this; later ones
     * return at once.
     */
    @Override
    public void close() {
        draining.set(true);
        closing.countDown();
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (admin != null) {
            admin.close();
        }
        if (cdc != null) {
            // first, while the broker runs: what it took is confirmed, and another node takes the slot over
            cdc.close();
        }
        if (tls != null) {
            tls.close();
        }
        if (broker != null) {
            // while the broker still runs: the rooms of this node are saved and their leases released,
            // so other nodes take them at once and the sockets forwarded to them stay open
            herald.rooms().handOff();
            // before Vert.x closes: leaving takes a few Redis commands on it
            awaitQuietly(broker.closeAsync());
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(20).toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            // still release the engine below
        } finally {
            herald.close();
            runtimeMeters.close();
        }
    }
}
