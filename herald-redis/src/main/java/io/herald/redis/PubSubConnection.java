package io.herald.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated pub/sub connection to one Redis server, owning the set of streams subscribed on it.
 *
 * <p>Subscribes with {@code SUBSCRIBE}, or with {@code SSUBSCRIBE} when {@code sharded} (Redis
 * Cluster), in batches of at most {@value #BATCH_LIMIT} channels; sharded batches hold the channels
 * of one slot only, because a multi-slot {@code SSUBSCRIBE} fails with {@code CROSSSLOT}. Frames
 * received are decoded ({@link PublicationCodec}) and handed to the listener.
 *
 * <p>The Vert.x Redis client neither reconnects nor resubscribes by itself. This class does: when
 * the connection ends (server restart, {@code CLIENT KILL}, network) it reconnects after a
 * {@link ReconnectBackoff} delay, again and again, subscribes every stream it owns, and once Redis
 * confirmed them all calls {@link Listener#onResubscribed} with those streams: publications made
 * while the connection was down were lost for them, so the owner must check their positions.
 *
 * <p>Confined to the Vert.x context it was opened on: the listener is called there, and the public
 * methods may be called from anywhere (they hop to that context). Not done yet: an idle-connection
 * probe (a wedged but open connection is not noticed), and re-homing streams when a cluster slot
 * moves (an error or an unrequested {@code sunsubscribe} is only logged).
 */
public final class PubSubConnection implements AutoCloseable {

    /** Most channels per (S)SUBSCRIBE command, as in Centrifuge. */
    public static final int BATCH_LIMIT = 512;

    private static final Logger LOG = LoggerFactory.getLogger(PubSubConnection.class);

    /** Receives what arrives on the connection, on its context. */
    public interface Listener {
        void onPublication(Publication publication);

        /** After a reconnect, every owned stream is subscribed again; these streams may have missed publications. */
        void onResubscribed(Set<String> streams);
    }

    private final Context context;
    private final Redis client;
    private final String url;
    private final boolean sharded;
    private final StreamKeys keys;
    private final Listener listener;
    private final ReconnectBackoff backoff;
    private final Set<String> streams = new LinkedHashSet<>();
    private final Map<String, Promise<Void>> unconfirmed = new HashMap<>();
    private RedisConnection connection;
    private volatile boolean connected;
    private boolean connecting;
    private boolean connectedBefore;
    private boolean closed;
    private int failures;
    private int generation;

    private PubSubConnection(Vertx vertx, Context context, String url, boolean sharded, StreamKeys keys,
                             Listener listener, ReconnectBackoff backoff) {
        this.context = context;
        RedisOptions options = new RedisOptions().setType(RedisClientType.STANDALONE).setConnectionString(url).setMaxPoolSize(2);
        options.getNetClientOptions().setConnectTimeout(2_000);
        this.client = Redis.createClient(vertx, options);
        this.url = url;
        this.sharded = sharded;
        this.keys = keys;
        this.listener = listener;
        this.backoff = backoff;
    }

    /**
     * Opens a pub/sub connection to {@code url} on the current Vert.x context (or a new one); it keeps
     * trying to connect in the background, so subscriptions may be made at once.
     */
    public static PubSubConnection open(Vertx vertx, String url, boolean sharded, StreamKeys keys,
                                        Listener listener, ReconnectBackoff backoff) {
        Context context = vertx.getOrCreateContext();
        PubSubConnection connection = new PubSubConnection(vertx, context, url, sharded, keys, listener, backoff);
        connection.onContext(connection::connect);
        return connection;
    }

    public String url() {
        return url;
    }

    /** Whether the connection is open now (it may still be resubscribing); readable from any thread. */
    public boolean connected() {
        return connected;
    }

    /** Subscribes {@code streams}; completes once Redis confirmed each (possibly after a reconnect). */
    public Future<Void> subscribe(Collection<String> streams) {
        List<String> wanted = List.copyOf(streams);
        Promise<Void> done = Promise.promise();
        onContext(() -> {
            List<Future<Void>> confirmations = new ArrayList<>();
            List<String> added = new ArrayList<>();
            for (String stream : wanted) {
                String channel = keys.channel(stream);
                boolean isNew = this.streams.add(stream);
                if (isNew) {
                    added.add(channel);
                }
                Promise<Void> waiting = unconfirmed.get(channel);
                if (waiting != null) {
                    confirmations.add(waiting.future());
                } else if (isNew) {
                    Promise<Void> promise = Promise.promise();
                    unconfirmed.put(channel, promise);
                    confirmations.add(promise.future());
                }
            }
            if (connection != null) {
                send(connection, added, sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
            }
            Future.all(confirmations).<Void>mapEmpty().onComplete(done);
        });
        return done.future();
    }

    /** Unsubscribes {@code streams}; completes when the command was written (or at once if not connected). */
    public Future<Void> unsubscribe(Collection<String> streams) {
        List<String> unwanted = List.copyOf(streams);
        Promise<Void> done = Promise.promise();
        onContext(() -> {
            List<String> channels = new ArrayList<>();
            for (String stream : unwanted) {
                if (this.streams.remove(stream)) {
                    String channel = keys.channel(stream);
                    channels.add(channel);
                    Promise<Void> waiting = unconfirmed.remove(channel);
                    if (waiting != null) {
                        waiting.tryFail("unsubscribed before Redis confirmed the subscription");
                    }
                }
            }
            if (connection != null) {
                send(connection, channels, sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE);
            }
            done.complete();
        });
        return done.future();
    }

    /** A snapshot of the streams this connection owns (subscribed, or waiting for Redis to confirm). */
    public Future<Set<String>> streams() {
        Promise<Set<String>> result = Promise.promise();
        onContext(() -> result.complete(Set.copyOf(streams)));
        return result.future();
    }

    /** Closes the connection and stops reconnecting; owned streams are forgotten. */
    @Override
    public void close() {
        onContext(() -> {
            closed = true;
            connected = false;
            if (connection != null) {
                connection.close();
                connection = null;
            }
            unconfirmed.values().forEach(p -> p.tryFail("pub/sub connection closed"));
            unconfirmed.clear();
            streams.clear();
            client.close();
        });
    }

    private void connect() {
        if (closed || connecting || connection != null) {
            return;
        }
        connecting = true;
        client.connect().onComplete(result -> onContext(() -> {
            connecting = false;
            if (result.failed()) {
                LOG.debug("pub/sub connection to {} failed: {}", url, result.cause().getMessage());
                retryLater();
            } else {
                attach(result.result());
            }
        }));
    }

    private void attach(RedisConnection conn) {
        if (closed) {
            conn.close();
            return;
        }
        connection = conn;
        connected = true;
        int attached = ++generation;
        conn.handler(reply -> onContext(() -> onReply(reply)));
        conn.endHandler(v -> onContext(() -> dropped(conn, "ended")));
        conn.exceptionHandler(e -> onContext(() -> dropped(conn, String.valueOf(e.getMessage()))));
        boolean reconnected = connectedBefore;
        connectedBefore = true;
        Set<String> owned = Set.copyOf(streams);
        List<Future<Void>> confirmations = new ArrayList<>();
        List<String> channels = new ArrayList<>();
        for (String stream : owned) {
            String channel = keys.channel(stream);
            channels.add(channel);
            confirmations.add(unconfirmed.computeIfAbsent(channel, c -> Promise.promise()).future());
        }
        send(conn, channels, sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
        Future.all(confirmations).onSuccess(ok -> onContext(() -> {
            if (generation == attached && connection == conn) {
                failures = 0;
                if (reconnected && !owned.isEmpty()) {
                    listener.onResubscribed(owned);
                }
            }
        }));
    }

    private void dropped(RedisConnection conn, String why) {
        if (connection != conn) {
            return;
        }
        LOG.debug("pub/sub connection to {} lost ({}); reconnecting", url, why);
        connection = null;
        connected = false;
        conn.close();
        for (String stream : streams) {
            unconfirmed.computeIfAbsent(keys.channel(stream), c -> Promise.promise());
        }
        retryLater();
    }

    private void retryLater() {
        if (closed) {
            return;
        }
        long delay = backoff.delayMillis(failures++);
        context.owner().setTimer(delay, t -> onContext(this::connect));
    }

    private void onReply(Response reply) {
        if (reply == null) {
            return;
        }
        if (reply.type() == ResponseType.ERROR) {
            LOG.warn("pub/sub error from {}: {}", url, reply);
            return;
        }
        if ((reply.type() != ResponseType.PUSH && reply.type() != ResponseType.MULTI) || reply.size() < 2) {
            return;
        }
        String kind = reply.get(0).toString();
        String channel = reply.get(1).toString();
        switch (kind) {
            case "message", "smessage" -> deliver(channel, reply.size() > 2 ? reply.get(2) : null);
            case "subscribe", "ssubscribe" -> {
                Promise<Void> waiting = unconfirmed.remove(channel);
                if (waiting != null) {
                    waiting.tryComplete();
                }
            }
            case "sunsubscribe", "unsubscribe" -> {
                String stream = keys.streamOf(channel);
                if (stream != null && streams.contains(stream)) {
                    LOG.warn("{} unsubscribed {} without being asked (slot moved?); not re-homed yet", url, channel);
                }
            }
            default -> LOG.debug("ignored pub/sub reply {} from {}", kind, url);
        }
    }

    private void deliver(String channel, Response body) {
        String stream = keys.streamOf(channel);
        if (stream == null || body == null || !streams.contains(stream)) {
            return;
        }
        PublicationCodec.decode(stream, body.toBytes()).ifPresentOrElse(listener::onPublication,
                () -> LOG.warn("undecodable frame on {} from {}", channel, url));
    }

    private void send(RedisConnection conn, List<String> channels, Command command) {
        for (List<String> batch : batches(channels, sharded)) {
            Request request = Request.cmd(command);
            batch.forEach(request::arg);
            conn.send(request).onFailure(e -> onContext(() -> dropped(conn, "write failed: " + e.getMessage())));
        }
    }

    /** Channels in batches of at most {@link #BATCH_LIMIT}; when sharded, each batch within one slot. */
    static List<List<String>> batches(List<String> channels, boolean sharded) {
        Map<Integer, List<String>> groups = new LinkedHashMap<>();
        for (String channel : channels) {
            groups.computeIfAbsent(sharded ? KeySlot.of(channel) : 0, s -> new ArrayList<>()).add(channel);
        }
        List<List<String>> batches = new ArrayList<>();
        for (List<String> group : groups.values()) {
            for (int from = 0; from < group.size(); from += BATCH_LIMIT) {
                batches.add(group.subList(from, Math.min(group.size(), from + BATCH_LIMIT)));
            }
        }
        return batches;
    }

    private void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }
}
