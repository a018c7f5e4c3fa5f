package io.herald.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.Herald;
import io.herald.HeraldException;
import io.herald.server.cluster.ClusterNodes;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The admin page's state for one server, shared by every event loop: the directory of sockets, the metric
 * samples, and the open {@code /admin/v1/stream} responses, each pushed a fresh snapshot once a second
 * (at most {@value #MAX_STREAMS} streams; a stream that does not keep up skips updates rather than queue
 * them). Made only when {@code admin.enabled}. Thread-safe; owns one Vert.x timer, cancelled by {@link #close()}.
 */
public final class Admin implements AutoCloseable {
    /** Open streams at once: the page is for operators, a handful at a time. */
    public static final int MAX_STREAMS = 16;
    /** Updates to one stream are at least this far apart (a little under the tick, for the timer's jitter). */
    static final long MIN_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(950);
    private static final long TICK_MS = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Herald herald;
    private final boolean devMode;
    private final SocketDirectory sockets;
    private final MeterSamples samples;
    private final AdminSnapshot snapshots;
    private final Vertx vertx;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    /** Set while a tick's snapshot is being built: a slow build makes the next tick skip, never pile up. */
    private final AtomicBoolean building = new AtomicBoolean();
    private final long timer;
    private long lastTickNanos = System.nanoTime();

    private Admin(Herald herald, Vertx vertx, MeterRegistry registry, ClusterNodes nodes, boolean devMode, int maxSockets) {
        this.herald = herald;
        this.vertx = vertx;
        this.devMode = devMode;
        this.sockets = new SocketDirectory(maxSockets);
        this.samples = new MeterSamples(registry);
        this.snapshots = new AdminSnapshot(herald, nodes, sockets, samples, devMode);
        samples.sample(1);
        this.timer = vertx.setPeriodic(TICK_MS, id -> tick());
    }

    /**
     * Starts the admin side of a server: samples {@code registry} once a second from now on.
     *
     * @param devMode    whether the server runs on secrets it generated (test credentials may then be minted)
     * @param maxSockets how many sockets the directory lists at most
     */
    public static Admin start(Herald herald, Vertx vertx, MeterRegistry registry, ClusterNodes nodes, boolean devMode, int maxSockets) {
        return new Admin(herald, vertx, registry, nodes, devMode, maxSockets);
    }

    public SocketDirectory sockets() {
        return sockets;
    }

    public boolean devMode() {
        return devMode;
    }

    Herald herald() {
        return herald;
    }

    /** A snapshot now, for {@code GET /admin/v1/snapshot} and a stream's first event. */
    CompletableFuture<ObjectNode> snapshot() {
        return snapshots.build();
    }

    /**
     * Opens a stream on {@code response} (its head already written) on {@code context}: it gets a snapshot at
     * once and then one a second until it ends.
     *
     * @throws HeraldException 429 when {@value #MAX_STREAMS} streams are open
     */
    void open(HttpServerResponse response, Context context) {
        Stream s = new Stream(response, context);
        synchronized (streams) {
            if (streams.size() >= MAX_STREAMS) {
                throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many admin streams are open.");
            }
            streams.add(s);
        }
        response.closeHandler(v -> streams.remove(s));
        response.endHandler(v -> streams.remove(s));
        snapshot().whenComplete((snap, failure) -> {
            if (snap != null) {
                s.send(frame(snap));
            }
        });
    }

    /** Open streams now. */
    int streams() {
        return streams.size();
    }

    private void tick() {
        long now = System.nanoTime();
        samples.sample((now - lastTickNanos) / 1e9);
        lastTickNanos = now;
        if (streams.isEmpty() || !building.compareAndSet(false, true)) {
            return;
        }
        snapshot().whenComplete((snap, failure) -> {
            building.set(false);
            if (snap != null) {
                byte[] frame = frame(snap);
                streams.forEach(s -> s.send(frame));
            }
        });
    }

    private static byte[] frame(ObjectNode snapshot) {
        try {
            // compact JSON has no line breaks: one data line is the whole event
            byte[] json = JSON.writeValueAsBytes(snapshot);
            byte[] head = "event: snapshot\ndata: ".getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[head.length + json.length + 2];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(json, 0, out, head.length, json.length);
            out[out.length - 2] = '\n';
            out[out.length - 1] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        vertx.cancelTimer(timer);
    }

    /** One open stream; written only on its own context. */
    private static final class Stream {
        private final HttpServerResponse response;
        private final Context context;
        private long lastSentNanos;

        Stream(HttpServerResponse response, Context context) {
            this.response = response;
            this.context = context;
        }

        void send(byte[] frame) {
            context.runOnContext(v -> {
                long now = System.nanoTime();
                if (response.ended() || response.closed() || response.writeQueueFull()
                        || (lastSentNanos != 0 && now - lastSentNanos < MIN_SPACING_NANOS)) {
                    return;
                }
                lastSentNanos = now;
                response.write(Buffer.buffer(frame));
            });
        }
    }
}
