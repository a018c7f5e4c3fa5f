package io.herald.server;

import io.herald.Herald;
import io.herald.config.HeraldConfig;
import io.herald.server.tls.ServerTls;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A running Herald server: the engine plus its Vert.x edge, one {@link EdgeVerticle} per event loop
 * on one port. {@link #start} blocks until it listens; {@link #close} drains (sockets get 1012) and
 * stops. Embedding applications use {@link #herald()} to publish in-process. Thread-safe.
 */
public final class HeraldServer implements AutoCloseable {
    private final Herald herald;
    private final Vertx vertx;
    private final int port;
    private final AtomicBoolean draining;
    private final Transport transport;
    /** Null for plain HTTP. */
    private final ServerTls tls;

    private HeraldServer(Herald herald, Vertx vertx, int port, AtomicBoolean draining, Transport transport, ServerTls tls) {
        this.herald = herald;
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
     * Starts a server whose engine an embedder completes in code before it is built (a
     * {@link io.herald.channel.ChannelAuthorizer}, rooms bound in code, another storage), and waits
     * until it listens. The server sets the meter registry itself.
     */
    public static HeraldServer start(HeraldConfig config, Consumer<Herald.Builder> embedder) {
        // first: a bad certificate is a configuration error, reported before anything is started
        ServerTls tls = config.server().tls() == null ? null : ServerTls.load(config.server().tls());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Herald.Builder builder = Herald.builder(config);
        embedder.accept(builder);
        Herald herald = builder.meterRegistry(registry).build();
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        Transport transport = transport(config.server().transport());
        ConnectionCounts counts = new ConnectionCounts(config.server());
        io.micrometer.core.instrument.Gauge.builder("herald.http.connections", counts, ConnectionCounts::httpConnections)
                .description("Open plain HTTP connections (not upgraded; SSE streams included)").register(registry);
        AcceptGuard acceptGuard = new AcceptGuard(counts, herald.meters(), config.server());
        Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(loops))
                .withTransport(new GuardedTransport(transport, acceptGuard)).build();
        AtomicInteger connections = new AtomicInteger();
        AtomicBoolean draining = new AtomicBoolean();
        try {
            EdgeVerticle first = new EdgeVerticle(herald, registry, config.server().port(), connections, draining, tls);
            await(vertx.deployVerticle(first, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP)));
            int port = first.actualPort();
            if (loops > 1) {
                // the configured port, not the actual one: with port 0 the instances share the first one's random port
                await(vertx.deployVerticle(() -> new EdgeVerticle(herald, registry, config.server().port(), connections, draining, tls),
                        new DeploymentOptions().setInstances(loops - 1)));
            }
            if (tls != null) {
                // every server is registered by now, so none misses a reload
                tls.watch();
            }
            return new HeraldServer(herald, vertx, port, draining, transport, tls);
        } catch (RuntimeException e) {
            if (tls != null) {
                tls.close();
            }
            await(vertx.close());
            herald.close();
            throw e;
        }
    }

    /**
     * The socket transport for {@code server.transport}. {@code auto} takes epoll where its native library
     * loads (Linux x86_64/aarch64), else NIO: epoll writes without NIO's per-write locking and selector
     * bookkeeping (docs/benchmarks.md). A transport asked for by name must load. io_uring is not offered:
     * under Vert.x 5.1.6 a room socket, upgraded after its asynchronous join, is closed (1000) by Vert.x.
     */
    static Transport transport(String name) {
        Transport t = switch (name) {
            case "nio" -> Transport.NIO;
            case "epoll" -> Transport.EPOLL;
            default -> Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
        };
        if (!t.available()) {
            throw new io.herald.config.ConfigException("server.transport",
                    "'" + name + "' is not available here: " + t.unavailabilityCause());
        }
        return t;
    }

    private static <T> T await(io.vertx.core.Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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

    /** The port the server listens on. */
    /** The socket transport in use: {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name();
    }

    public int port() {
        return port;
    }

    /** The engine: publish in-process through {@code herald().broadcast()}. */
    public Herald herald() {
        return herald;
    }

    /** Stops accepting, closes every socket with 1012, and releases the engine. */
    @Override
    public void close() {
        draining.set(true);
        if (tls != null) {
            tls.close();
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(20).toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            // still release the engine below
        } finally {
            herald.close();
        }
    }
}
