package io.herald.redis;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.cluster.Broker;
import io.herald.config.ClusterConfig;
import io.herald.config.ConfigException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Broker} across Herald nodes on Redis, over {@link RedisStreams} and {@link StreamSubscriber}.
 *
 * <p><b>Delivery.</b> A topic is a stream. This node subscribes the topic's channel while it has at
 * least one local handler, then adds its id to the topic's node set ({@code <prefix>:{topic}:nodes});
 * when the last handler closes it removes its id, then unsubscribes. {@code publish} encodes the
 * message once with its codec and runs the publish script, which in one atomic step gives it an
 * offset, keeps the topic's history as the publish's {@link Broker.Retention} says, publishes the {@link BrokerFrames message
 * frame} (origin node id, request id, bytes) and reads the node set. Every subscribed node, the
 * publishing one included, receives the frame through Redis, decodes it once with the topic's codec
 * and calls its handlers on the subscriber's Vert.x context; so every node sees a topic's messages in
 * offset order.
 *
 * <p><b>Delivery counts.</b> When a node's handlers have completed, it sends their sum to the origin
 * on the origin's node channel (the stream {@code node:<id>}: {@code PUBLISH <prefix>:{node:<id>}},
 * or {@code SPUBLISH} in a cluster, where the hash tag puts it on one shard); the origin records its
 * own count directly. The origin waits only for the nodes in the set the script returned, i.e. the
 * nodes that were subscribed when the frame went out, so nodes without a subscriber never answer.
 * Ids in the set that are not in the last heartbeat's live list are checked once in the membership
 * set; those without a heartbeat are crashed nodes: they are not waited for and are removed from the
 * topic's set. A node that finds with a heartbeat that its registration was lost (Redis restarted
 * without its data) adds itself to its topics' sets again. The publish completes when every expected
 * node answered, or after the reply timeout with the counts received and {@code partial = true}; a node
 * that let a publish time out is not waited for again until it replies ({@link DeliveryTally}).
 *
 * <p><b>Membership.</b> See {@link NodeRegistry}: a heartbeat every {@code heartbeatInterval}
 * (2 s) with {@code heartbeatExpiry} (10 s); starting with the id of a live node fails with a
 * {@link ConfigException} on {@code cluster.nodeId}.
 *
 * <p><b>Failures.</b> A publish whose script fails or takes longer than {@value #COMMAND_TIMEOUT_MS} ms
 * fails with {@link ErrorCode#BROKER_UNAVAILABLE}. {@link #available()} is false while a pub/sub
 * connection is down or the last heartbeat failed. A pub/sub connection that stays silent is probed
 * ({@link PubSubProbe}: a PING after 5 s without traffic, lost when nothing arrives within 2 s), so a
 * frozen Redis or a half-open connection counts as down too. When a pub/sub connection comes back,
 * or a cluster slot moved and its topics were subscribed on the new owner ({@link StreamSubscriber}),
 * this node re-adds itself to those topics' sets (Redis may have lost them) and tells each topic's
 * {@link Broker.GapListener}s that publications may have been missed.
 *
 * <p>Thread-safe. A subscription takes effect asynchronously; a publish on this node waits for this
 * node's pending subscribe or unsubscribe of the same topic, so it sees its own subscriptions.
 * Topics named {@code node:...} are reserved. Not handled yet: an unsubscribe whose {@code SREM}
 * failed leaves this node in the topic's set, so publishers wait for it until the reply timeout; and
 * a publisher that found no heartbeat for a node, when that node's heartbeat and re-add land between
 * the publisher's check and its {@code SREM}, removes a live node from the topic's set (a narrow race
 * after a Redis restart): its sockets still receive, but its counts are missing from the publishes.
 */
public final class RedisBroker implements Broker {

    /** How long a publish script may take before the broker is deemed unavailable. */
    public static final long COMMAND_TIMEOUT_MS = 2_000;
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_HEARTBEAT_EXPIRY = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    private static final String NODE_STREAM = "node:";
    /** Marks a node-channel frame as a batch of node-to-node messages; its epoch field is {@code ~<node>~<process instance>}. */
    private static final String DIRECT_MARK = "~";
    private static final long MAX_OUTBOX_BYTES = 64L << 20;
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Vertx vertx;
    private final RedisConfig config;
    private final RedisStreams streams;
    private final NodeRegistry registry;
    private final NodeInfo self;
    private final String instance = UUID.randomUUID().toString();
    private final String nodeStream;
    private final long replyTimeoutMs;
    private final Duration heartbeatInterval;
    private final Duration heartbeatExpiry;
    private final Supplier<Map<String, Integer>> connections;
    private final Supplier<Set<String>> roles;
    private final ReconnectBackoff backoff;
    private final PubSubProbe probe;
    private final Map<String, LocalTopic> topics = new ConcurrentHashMap<>();
    private final Map<String, Future<Void>> topicChanges = new HashMap<>();
    private final Map<Long, DeliveryTally> pending = new ConcurrentHashMap<>();
    /** Nodes that let a publish time out and have not replied since: publishes do not wait for them. */
    private final Set<String> suspects = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();
    private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();
    /** The streams each keyed source is known (here) to have recorded in Redis; bounded, past it recorded again. */
    private final Map<String, Set<String>> sourceStreams = new ConcurrentHashMap<>();
    private static final int MAX_RECORDED_STREAMS = 100_000;
    private final Map<String, Inbox> inboxes = new ConcurrentHashMap<>();
    /** The last batch seen from each node, by its process: a number that is not the next one means batches were lost. */
    private final Map<String, Received> received = new ConcurrentHashMap<>();

    private record Received(String instance, long batch) {
    }
    private volatile StreamSubscriber subscriber;
    private volatile Set<String> live = Set.of();
    private volatile boolean heartbeatOk = true;
    private volatile String address;
    private volatile boolean closed;
    private volatile long heartbeatTimer = -1;

    private RedisBroker(Builder b) {
        this.vertx = b.vertx;
        this.config = b.config;
        this.streams = RedisStreams.create(vertx, config);
        this.registry = new NodeRegistry(streams);
        this.self = new NodeInfo(b.nodeId, b.address, Instant.now(), Map.of());
        this.address = b.address;
        this.nodeStream = NODE_STREAM + b.nodeId;
        this.replyTimeoutMs = b.replyTimeout.toMillis();
        this.heartbeatInterval = b.heartbeatInterval;
        this.heartbeatExpiry = b.heartbeatExpiry;
        this.connections = b.connections;
        this.roles = b.roles;
        this.backoff = b.backoff;
        this.probe = b.probe;
    }

    /** A builder for a broker on {@code redis}, with a random node id and the default timings. */
    public static Builder builder(Vertx vertx, RedisConfig redis) {
        return new Builder(vertx, redis);
    }

    /** A builder from the {@code cluster} config section (node id, Redis, reply timeout); its Redis must be enabled. */
    public static Builder builder(Vertx vertx, ClusterConfig cluster) {
        ClusterConfig.Redis r = cluster.redis();
        if (!r.enabled()) {
            throw new ConfigException("cluster.redis.url", "no Redis is configured");
        }
        RedisConfig.Topology topology = r.cluster() ? RedisConfig.Topology.CLUSTER
                : r.endpoints().size() == 1 ? RedisConfig.Topology.STANDALONE : RedisConfig.Topology.ISOLATED;
        RedisConfig redis = new RedisConfig(topology, r.endpoints(), r.prefix(), RedisConfig.DEFAULT_META_TTL,
                RedisConfig.DEFAULT_MAX_POOL_SIZE, RedisConfig.DEFAULT_MAX_POOL_WAITING);
        return new Builder(vertx, redis).nodeId(cluster.nodeId()).replyTimeout(Duration.ofMillis(cluster.replyTimeoutMs()));
    }

    /** This node's id. */
    public String nodeId() {
        return self.id();
    }

    /** The leases of rooms on this broker's Redis, for this node, each lasting {@code term} unless renewed. */
    public RedisRoomLeases roomLeases(Duration term) {
        return new RedisRoomLeases(streams, self.id(), term);
    }

    /**
     * Sets the address this node serves clients on, for a node that knows it only once it listens
     * (port 0): sent with a heartbeat at once and with every later one.
     */
    public void advertise(String address) {
        this.address = address;
        if (heartbeatTimer != -1 && !closed) {
            heartbeat();
        }
    }

    /** The live nodes, this one included, as their last heartbeats described them. */
    public CompletableFuture<List<NodeInfo>> nodes() {
        return registry.nodes().toCompletionStage().toCompletableFuture();
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public boolean available() {
        StreamSubscriber s = subscriber;
        return !closed && heartbeatOk && s != null && s.connections().stream().allMatch(PubSubConnection::connected);
    }

    @Override
    public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler) {
        return subscribe(topic, codec, handler, t -> { });
    }

    @Override
    public <T> Subscription subscribe(String topic, Codec<T> codec, Handler<T> handler, GapListener onGap) {
        checkTopic(topic);
        LocalTopic.Entry entry = new LocalTopic.Entry(handler, onGap);
        AtomicBoolean created = new AtomicBoolean();
        topics.compute(topic, (t, state) -> {
            LocalTopic s = state;
            if (s == null) {
                s = new LocalTopic(codec);
                created.set(true);
            }
            s.entries.add(entry);
            return s;
        });
        if (created.get()) {
            change(topic, () -> subscriber.subscribe(topic).compose(v -> streams.addNode(topic, self.id())));
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (!open.compareAndSet(true, false)) {
                return;
            }
            AtomicBoolean emptied = new AtomicBoolean();
            topics.computeIfPresent(topic, (t, s) -> {
                s.entries.remove(entry);
                emptied.set(s.entries.isEmpty());
                return s.entries.isEmpty() ? null : s;
            });
            if (emptied.get() && !closed) {
                change(topic, () -> streams.removeNodes(topic, List.of(self.id()))
                        .transform(r -> subscriber.unsubscribe(topic)));
            }
        };
    }

    @Override
    public CompletableFuture<Void> ready(String topic) {
        checkTopic(topic);
        return pendingChange(topic).toCompletionStage().toCompletableFuture();
    }

    @Override
    public <T> CompletableFuture<Delivered> publish(String topic, T message, Codec<T> codec, Retention retention) {
        checkTopic(topic);
        if (closed) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The broker is closed."));
        }
        long request = requests.incrementAndGet();
        byte[] payload = BrokerFrames.message(self.id(), request, codec.encode(message));
        // Redis numbers every publish (the script's HINCRBY): a topic without retention keeps no history
        int historySize = Math.max(0, retention.size());
        DeliveryTally tally = new DeliveryTally(vertx, replyTimeoutMs, suspects, () -> pending.remove(request));
        pending.put(request, tally);
        pendingChange(topic)
                .transform(ignored -> streams.publishToNodes(topic, payload, historySize, retention.ttlSeconds()))
                .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .compose(published -> expected(topic, published.nodes())
                        .map(nodes -> new RedisStreams.Published(published.position(), nodes)))
                .onComplete(expected -> {
                    if (expected.succeeded()) {
                        tally.expect(expected.result().nodes(), expected.result().position());
                    } else {
                        pending.remove(request);
                        LOG.debug("publish on topic {} failed: {}", topic, expected.cause().toString());
                        tally.result.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE,
                                ErrorCode.BROKER_UNAVAILABLE.defaultMessage(), expected.cause()));
                    }
                });
        return tally.result;
    }

    @Override
    public <T> CompletableFuture<Void> publishOnce(String topic, String source, List<Keyed<T>> messages, Codec<T> codec, Retention retention) {
        checkTopic(topic);
        if (!retention.numbered()) {
            throw new IllegalArgumentException("keyed publishes need a stream: a retention of size >= 0");
        }
        if (closed) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The broker is closed."));
        }
        List<String> keys = new ArrayList<>(messages.size());
        List<byte[]> payloads = new ArrayList<>(messages.size());
        for (Keyed<T> k : messages) {
            keys.add(k.key());
            // request 0: the nodes report no delivery count for it
            payloads.add(BrokerFrames.message(self.id(), 0, codec.encode(k.message())));
        }
        Set<String> recorded = sourceStreams.computeIfAbsent(source, s -> ConcurrentHashMap.newKeySet());
        // the stream is recorded before anything is published to it, so a restart of the source finds it
        Future<Void> known = recorded.contains(topic) ? Future.succeededFuture()
                : streams.addSourceStream(source, topic).onSuccess(v -> {
                    if (recorded.size() < MAX_RECORDED_STREAMS) {
                        recorded.add(topic);
                    }
                });
        return unavailableOnFailure(known
                .compose(v -> streams.publishOnce(topic, source, keys, payloads, Math.max(0, retention.size()), retention.ttlSeconds()))
                .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .<Void>mapEmpty());
    }

    @Override
    public CompletableFuture<Integer> restart(String source) {
        if (closed) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The broker is closed."));
        }
        sourceStreams.remove(source);
        return unavailableOnFailure(streams.takeSourceStreams(source).compose(topics -> {
            List<Future<Void>> each = new ArrayList<>(topics.size());
            topics.forEach(t -> each.add(streams.restart(t)));
            return Future.all(each).map(all -> topics.size());
        }));
    }

    /** {@code f} as a CompletableFuture whose failure is {@link ErrorCode#BROKER_UNAVAILABLE} with the cause. */
    private static <T> CompletableFuture<T> unavailableOnFailure(Future<T> f) {
        CompletableFuture<T> result = new CompletableFuture<>();
        f.onComplete(r -> {
            if (r.succeeded()) {
                result.complete(r.result());
            } else {
                LOG.debug("broker command failed: {}", r.cause().toString());
                result.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE,
                        ErrorCode.BROKER_UNAVAILABLE.defaultMessage(), r.cause()));
            }
        });
        return result;
    }

    /**
     * Reads the topic's history from Redis, after this node's pending subscribe of the topic completed
     * (so every later publication reaches this node's handlers). Fails with
     * {@link ErrorCode#BROKER_UNAVAILABLE} when Redis does not answer in time.
     */
    @Override
    public <T> CompletableFuture<History<T>> history(String topic, Codec<T> codec, long since, int limit) {
        checkTopic(topic);
        if (since < 0 || limit < 1) {
            throw new IllegalArgumentException("history needs since >= 0 and limit >= 1, got " + since + " / " + limit);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The broker is closed."));
        }
        CompletableFuture<History<T>> result = new CompletableFuture<>();
        pendingChange(topic)
                .transform(ignored -> streams.history(topic, since, limit))
                .timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .onComplete(read -> {
                    if (read.failed()) {
                        result.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE,
                                ErrorCode.BROKER_UNAVAILABLE.defaultMessage(), read.cause()));
                        return;
                    }
                    try {
                        result.complete(decode(read.result(), codec, since));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
        return result;
    }

    private static <T> History<T> decode(io.herald.redis.History read, Codec<T> codec, long since) {
        StreamPosition top = read.position();
        Position position = top.offset() == 0 && top.epoch().isEmpty() ? Position.NONE : new Position(top.epoch(), top.offset());
        List<Entry<T>> entries = new ArrayList<>(read.publications().size());
        for (Publication p : read.publications()) {
            byte[] body = BrokerFrames.message(p.payload()).map(BrokerFrames.Message::body)
                    .orElseThrow(() -> new IllegalStateException("undecodable history entry " + p.offset() + " of " + p.stream()));
            entries.add(new Entry<>(codec.decode(body), new Position(p.epoch(), p.offset())));
        }
        boolean complete = !read.truncated() && since <= position.offset()
                && (since == position.offset() || (!entries.isEmpty() && entries.get(entries.size() - 1).position().offset() == position.offset()));
        return new History<>(position, entries, complete);
    }

    @Override
    public CompletableFuture<Boolean> claim(String key, Duration ttl) {
        checkTopic(key);
        if (closed) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The broker is closed."));
        }
        return unavailableOnFailure(streams.claim(key, Math.max(1, ttl.toMillis())).timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletableFuture<Void> send(String nodeId, String channel, byte[] body) {
        if (closed) {
            return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE, "The broker is closed."));
        }
        return outboxes.computeIfAbsent(nodeId, Outbox::new).add(channel, body);
    }

    @Override
    public Subscription inbox(String channel, Inbox inbox) {
        if (inboxes.putIfAbsent(channel, inbox) != null) {
            throw new IllegalStateException("channel " + channel + " has an inbox already");
        }
        return () -> inboxes.remove(channel, inbox);
    }

    @Override
    public Set<String> liveNodes() {
        Set<String> nodes = new HashSet<>(live);
        nodes.add(self.id());
        return nodes;
    }

    /** A batch of node-to-node messages arrived on this node's channel. */
    private void onDirect(Publication frame) {
        String sender = frame.epoch().substring(DIRECT_MARK.length());
        int mark = sender.lastIndexOf(DIRECT_MARK);
        if (mark <= 0) {
            LOG.warn("node-to-node batch without a sender instance: {}", frame.epoch());
            return;
        }
        String from = sender.substring(0, mark);
        Received last = received.put(from, new Received(sender.substring(mark + 1), frame.offset()));
        // Numbers run per sending process: the first batch of a process (a new node, or one restarted
        // under its id) starts a new sequence, anything else must follow the last one.
        if (last != null && last.instance().equals(sender.substring(mark + 1)) && frame.offset() != last.batch() + 1) {
            // a batch lost on the way: what was built on that node's messages is suspect
            gap(from);
        }
        try {
            DirectBatch.read(frame.payload(), (channel, body) -> {
                Inbox inbox = inboxes.get(channel);
                if (inbox != null) {
                    try {
                        inbox.onMessage(from, body);
                    } catch (RuntimeException e) {
                        LOG.warn("inbox {} failed on a message from node {}", channel, from, e);
                    }
                }
            });
        } catch (IllegalArgumentException e) {
            LOG.warn("undecodable node-to-node batch from node {}: {}", from, e.getMessage());
            gap(from);
        }
    }

    private void gap(String from) {
        for (Inbox inbox : inboxes.values()) {
            try {
                inbox.onGap(from);
            } catch (RuntimeException e) {
                LOG.warn("inbox gap listener failed", e);
            }
        }
    }

    /**
     * What this node sends to one node: at most one {@code PUBLISH} in flight, and what is queued meanwhile
     * goes out as one batch when it completes. One in flight keeps the order (the command pool may use
     * several connections), and the batching makes that cost one round trip per busy period rather than
     * per message. Bounded: past {@value #MAX_OUTBOX_BYTES} bytes queued, sends fail.
     */
    private final class Outbox {
        private final String node;
        private final String stream;
        private final List<byte[]> channels = new ArrayList<>();
        private final List<byte[]> bodies = new ArrayList<>();
        private final List<CompletableFuture<Void>> waiting = new ArrayList<>();
        private long queuedBytes;
        private boolean inFlight;
        private long batches;

        Outbox(String node) {
            this.node = node;
            this.stream = NODE_STREAM + node;
        }

        CompletableFuture<Void> add(String channel, byte[] body) {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            boolean start;
            synchronized (this) {
                if (queuedBytes + body.length > MAX_OUTBOX_BYTES) {
                    return CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE,
                            "Too much is queued for node " + node + "."));
                }
                channels.add(channel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                bodies.add(body);
                waiting.add(sent);
                queuedBytes += body.length;
                start = !inFlight;
                inFlight = true;
            }
            if (start) {
                flush();
            }
            return sent;
        }

        private void flush() {
            byte[] frame;
            List<CompletableFuture<Void>> batch;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    inFlight = false;
                    return;
                }
                frame = PublicationCodec.encode(++batches, DIRECT_MARK + self.id() + DIRECT_MARK + instance, DirectBatch.write(channels, bodies));
                batch = new ArrayList<>(waiting);
                channels.clear();
                bodies.clear();
                waiting.clear();
                queuedBytes = 0;
            }
            streams.send(stream, frame).timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(r -> {
                for (CompletableFuture<Void> f : batch) {
                    if (r.succeeded()) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(new HeraldException(ErrorCode.BROKER_UNAVAILABLE,
                                ErrorCode.BROKER_UNAVAILABLE.defaultMessage(), r.cause()));
                    }
                }
                flush();
            });
        }
    }

    /** Leaves the cluster: removes this node from its topics and from membership, then closes its connections. */
    @Override
    public void close() {
        closeAsync();
    }

    /**
     * As {@link #close()}, completing once this node has left (or the leave timed out after
     * {@value #COMMAND_TIMEOUT_MS} ms) and its connections are closed; a second call completes at once.
     */
    public CompletableFuture<Void> closeAsync() {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        closed = true;
        vertx.cancelTimer(heartbeatTimer);
        List<Future<Void>> leaving = new ArrayList<>();
        topics.keySet().forEach(topic -> leaving.add(streams.removeNodes(topic, List.of(self.id()))));
        topics.clear();
        leaving.add(registry.leave(self.id()));
        pending.values().forEach(DeliveryTally::finish);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Future.join(leaving).timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(r -> {
            StreamSubscriber s = subscriber;
            if (s != null) {
                s.close();
            }
            streams.close();
            done.complete(null);
        });
        return done;
    }

    private Future<RedisBroker> start() {
        Context context = vertx.getOrCreateContext();
        Promise<RedisBroker> started = Promise.promise();
        context.runOnContext(v -> registry.beat(info(), instance, heartbeatExpiry.toMillis())
                .compose(beat -> {
                    if (!beat.written()) {
                        return Future.failedFuture(new ConfigException("cluster.nodeId",
                                "node id '" + self.id() + "' is already used by a live node"));
                    }
                    live = beat.live();
                    return StreamSubscriber.start(vertx, config, new Listener(), backoff, probe);
                })
                .compose(s -> {
                    subscriber = s;
                    return s.subscribe(nodeStream).timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                })
                .onSuccess(ok -> heartbeatTimer = vertx.setPeriodic(heartbeatInterval.toMillis(), id -> heartbeat()))
                .<RedisBroker>map(ok -> this)
                .onFailure(e -> close())
                .onComplete(started));
        return started.future();
    }

    private void heartbeat() {
        registry.beat(info(), instance, heartbeatExpiry.toMillis()).onComplete(r -> {
            if (r.failed()) {
                heartbeatOk = false;
                LOG.debug("heartbeat of node {} failed: {}", self.id(), r.cause().toString());
            } else if (!r.result().written()) {
                heartbeatOk = false;
                LOG.error("node id {} is now held by another live node; this node no longer counts as live", self.id());
            } else {
                heartbeatOk = true;
                live = r.result().live();
                if (!r.result().renewed()) {
                    rejoinTopics();
                }
            }
        });
    }

    /**
     * Re-adds this node to its topics' sets after its registration was lost (Redis restarted without its
     * data, or this node's heartbeat expired): meanwhile publishers found no heartbeat for it and dropped
     * it from the sets as a crashed node, so they would no longer wait for its delivery counts.
     */
    private void rejoinTopics() {
        LOG.info("node {} registered again after its membership was lost; rejoining {} topics", self.id(), topics.size());
        for (String topic : topics.keySet()) {
            streams.addNode(topic, self.id()).onFailure(e -> LOG.debug("could not re-add node to {}: {}", topic, e.toString()));
        }
    }

    private NodeInfo info() {
        return new NodeInfo(self.id(), address, self.started(), connections.get(), roles.get());
    }

    /** Runs {@code change} after the previous subscribe/unsubscribe of {@code topic} finished. */
    private void change(String topic, Supplier<Future<Void>> change) {
        synchronized (topicChanges) {
            Future<Void> next = topicChanges.getOrDefault(topic, Future.succeededFuture())
                    .transform(previous -> change.get())
                    .onFailure(e -> LOG.debug("subscription change of topic {} failed: {}", topic, e.toString()));
            topicChanges.put(topic, next);
            next.onComplete(r -> {
                synchronized (topicChanges) {
                    topicChanges.remove(topic, next);
                }
            });
        }
    }

    private Future<Void> pendingChange(String topic) {
        synchronized (topicChanges) {
            Future<Void> change = topicChanges.get(topic);
            return change == null ? Future.succeededFuture()
                    : change.timeout(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS).recover(e -> Future.succeededFuture());
        }
    }

    /** The nodes to wait for: the set's ids minus those that have no heartbeat any more (removed from the set). */
    private Future<Set<String>> expected(String topic, Set<String> subscribed) {
        Set<String> known = live;
        List<String> unknown = subscribed.stream().filter(id -> !known.contains(id) && !id.equals(self.id())).toList();
        if (unknown.isEmpty()) {
            return Future.succeededFuture(subscribed);
        }
        return registry.present(unknown).map(present -> {
            Set<String> dead = new HashSet<>(unknown);
            dead.removeAll(present);
            if (dead.isEmpty()) {
                return subscribed;
            }
            streams.removeNodes(topic, dead).onFailure(e -> LOG.debug("could not drop dead nodes from {}: {}", topic, e.toString()));
            Set<String> alive = new HashSet<>(subscribed);
            alive.removeAll(dead);
            return alive;
        }).recover(e -> Future.succeededFuture(subscribed));
    }

    private void checkTopic(String topic) {
        streams.keys().channel(topic);
        if (topic.startsWith(NODE_STREAM)) {
            throw new IllegalArgumentException("topics named " + NODE_STREAM + "... are reserved for node channels: " + topic);
        }
    }

    private void onMessage(Publication publication) {
        BrokerFrames.message(publication.payload()).ifPresentOrElse(m -> {
            LocalTopic topic = topics.get(publication.stream());
            CompletableFuture<Integer> delivered = topic == null ? CompletableFuture.completedFuture(0)
                    : topic.deliver(publication.stream(), m.body(), new Position(publication.epoch(), publication.offset()));
            if (m.request() != 0) {
                delivered.whenComplete((n, e) -> report(m.origin(), m.request(), n == null ? 0 : n));
            }
        }, () -> LOG.warn("undecodable broker message on topic {}", publication.stream()));
    }

    private void report(String origin, long request, int count) {
        if (origin.equals(self.id())) {
            onReply(new BrokerFrames.Reply(origin, request, count));
        } else if (!closed) {
            streams.send(NODE_STREAM + origin, BrokerFrames.reply(self.id(), request, count))
                    .onFailure(e -> LOG.debug("delivery count for node {} not sent: {}", origin, e.toString()));
        }
    }

    private void onReply(BrokerFrames.Reply reply) {
        suspects.remove(reply.node());
        DeliveryTally tally = pending.get(reply.request());
        if (tally != null) {
            tally.reply(reply.node(), reply.count());
        }
    }

    private void onResubscribed(Set<String> resubscribed) {
        if (resubscribed.contains(nodeStream)) {
            gap(null);
        }
        for (String stream : resubscribed) {
            LocalTopic topic = topics.get(stream);
            if (topic == null) {
                continue;
            }
            streams.addNode(stream, self.id()).onFailure(e -> LOG.debug("could not re-add node to {}: {}", stream, e.toString()));
            gapOf(stream);
        }
    }

    /** Tells the local subscribers of {@code stream} that they may have missed publications. */
    private void gapOf(String stream) {
        LocalTopic topic = topics.get(stream);
        if (topic == null) {
            return;
        }
        for (LocalTopic.Entry entry : topic.entries) {
            try {
                entry.onGap().onGap(stream);
            } catch (RuntimeException e) {
                LOG.warn("gap listener failed on topic {}", stream, e);
            }
        }
    }

    private final class Listener implements PubSubConnection.Listener {
        @Override
        public void onPublication(Publication publication) {
            if (publication.stream().equals(nodeStream)) {
                if (publication.epoch().startsWith(DIRECT_MARK)) {
                    onDirect(publication);
                } else {
                    BrokerFrames.reply(publication).ifPresent(RedisBroker.this::onReply);
                }
            } else if (publication.epoch().equals(RedisStreams.RESTART_EPOCH)) {
                gapOf(publication.stream());
            } else {
                onMessage(publication);
            }
        }

        @Override
        public void onResubscribed(Set<String> streams) {
            RedisBroker.this.onResubscribed(streams);
        }
    }

    /** Settings of a {@link RedisBroker}; {@link #start()} joins the cluster. */
    public static final class Builder {
        private final Vertx vertx;
        private final RedisConfig config;
        private String nodeId = ClusterConfig.defaults().nodeId();
        private String address = "";
        private Duration replyTimeout = Duration.ofMillis(ClusterConfig.DEFAULT_REPLY_TIMEOUT_MS);
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private Duration heartbeatExpiry = DEFAULT_HEARTBEAT_EXPIRY;
        private Supplier<Map<String, Integer>> connections = Map::of;
        private Supplier<Set<String>> roles = Set::of;
        private ReconnectBackoff backoff = ReconnectBackoff.DEFAULT;
        private PubSubProbe probe = PubSubProbe.DEFAULT;

        private Builder(Vertx vertx, RedisConfig config) {
            this.vertx = vertx;
            this.config = config;
        }

        /** This node's id among the live ones (letters, digits, '.', '_', '-'; at most 64). */
        public Builder nodeId(String id) {
            if (id == null || !NODE_ID.matcher(id).matches()) {
                throw new ConfigException("cluster.nodeId", "1 to 64 letters, digits, '.', '_' or '-', was '" + id + "'");
            }
            this.nodeId = id;
            return this;
        }

        /** Where this node serves clients, as shown in the node list. */
        public Builder address(String address) {
            this.address = address;
            return this;
        }

        public Builder replyTimeout(Duration timeout) {
            this.replyTimeout = positive(timeout, "replyTimeout");
            return this;
        }

        /** Heartbeat every {@code interval}, counted dead {@code expiry} after the last one; expiry must exceed the interval. */
        public Builder heartbeat(Duration interval, Duration expiry) {
            if (positive(expiry, "heartbeat expiry").compareTo(positive(interval, "heartbeat interval")) <= 0) {
                throw new IllegalArgumentException("heartbeat expiry " + expiry + " must exceed the interval " + interval);
            }
            this.heartbeatInterval = interval;
            this.heartbeatExpiry = expiry;
            return this;
        }

        /** The roles this node holds now ({@link NodeInfo#roles()}), read for each heartbeat (on an event loop: must be fast). */
        public Builder roles(Supplier<Set<String>> roles) {
            this.roles = roles;
            return this;
        }

        /** Open connections by primitive, read for each heartbeat (on an event loop: must be fast). */
        public Builder connections(Supplier<Map<String, Integer>> connections) {
            this.connections = connections;
            return this;
        }

        public Builder backoff(ReconnectBackoff backoff) {
            this.backoff = backoff;
            return this;
        }

        /** When a quiet pub/sub connection is PINGed and how long it may take to answer (see {@link PubSubProbe}). */
        public Builder probe(PubSubProbe probe) {
            this.probe = probe;
            return this;
        }

        /**
         * Joins the cluster: writes the first heartbeat, opens the pub/sub connections and subscribes
         * this node's channel. Fails with a {@link ConfigException} on {@code cluster.nodeId} when a
         * live node has this id, or with the Redis error when Redis cannot be reached.
         */
        public CompletableFuture<RedisBroker> start() {
            return new RedisBroker(this).start().toCompletionStage().toCompletableFuture();
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.toMillis() < 1) {
                throw new IllegalArgumentException(what + " must be at least 1 ms, was " + d);
            }
            return d;
        }
    }
}
