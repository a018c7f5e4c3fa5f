package io.herald.lane;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.LocalFanout;
import io.herald.ValidUnicode;
import io.herald.Meters;
import io.herald.cluster.Broker;
import io.herald.cluster.InMemoryBroker;
import io.herald.config.LanesConfig;
import io.herald.inspect.PublishTail;
import io.herald.inspect.Publisher;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The User lanes primitive's hub: one lane per user holding that user's sockets and their filters.
 * A publish sends one envelope (encoded once) to every socket of the user with a matching filter and
 * completes with the acks that arrive before the timeout, in arrival order. Lanes exist only while
 * they have sockets. Thread-safe; owns its timeout timer.
 */
public final class LaneHub implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LaneHub.class);
    private static final String PRIMITIVE = "lanes";
    /** Filters looked at per subscribe/unsubscribe message; the rest are ignored and counted. */
    public static final int MAX_FILTERS_PER_MESSAGE = 50;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final LanesConfig config;
    private final Meters meters;
    private final ObjectMapper json;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final LocalFanout fanout;
    private final Broker broker;
    /** Replies (acks, sockets gone) to this node's publishes arrive on this node's topic. */
    private final String repliesTopic;
    private final Broker.Subscription replies;
    /** This node's publishes still waiting for acks, by envelope id. */
    private final Map<String, Delivery> outstanding = new ConcurrentHashMap<>();
    /** Publishes waiting for acks per user, for {@code lanes.maxPendingPerLane}; an entry leaves at zero. */
    private final Map<String, Integer> pendingByUser = new ConcurrentHashMap<>();
    private final Broker.Codec<LaneMessage> messages;
    private final Broker.Codec<Reply> replyCodec;
    private final PublishTail tail;

    /** How many filters a socket holds after a subscribe/unsubscribe, and how many were not applied. */
    public record FilterReply(int count, int ignored) {
    }

    /** What a publish returns: matched sockets, and ack results in arrival order. */
    public record PublishResult(int clientCount, List<JsonNode> results) {
    }

    /**
     * One user's lane on this node as the admin page shows it: its sockets here, the acks they still owe for
     * envelopes they were sent, and this node's publishes to the user still waiting for acks.
     */
    public record LaneView(String userId, int sockets, int owedAcks, int pendingPublishes) {
    }

    /** A hub on a broker of its own: one node (tests and embedders that need nothing else). */
    public LaneHub(LanesConfig config, Meters meters, ObjectMapper json) {
        this(config, new InMemoryBroker(), meters, json);
    }

    public LaneHub(LanesConfig config, Broker broker, Meters meters, ObjectMapper json) {
        this(config, broker, meters, json, PublishTail.off());
    }

    /** A hub that records each publish of this node in {@code tail}. */
    public LaneHub(LanesConfig config, Broker broker, Meters meters, ObjectMapper json, PublishTail tail) {
        this.tail = tail;
        this.broker = broker;
        this.messages = new LaneMessage.Codec(json);
        this.replyCodec = new Reply.Codec(json);
        this.repliesTopic = "lane-replies/" + broker.nodeId();
        this.config = config;
        this.meters = meters;
        this.json = json;
        this.fanout = new LocalFanout(meters);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "herald-lanes-timer");
            th.setDaemon(true);
            return th;
        });
        // most deliveries are acked long before their timeout: drop the cancelled timers at once
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        meters.connections(PRIMITIVE);
        this.replies = broker.subscribe(repliesTopic, replyCodec, this::onReply);
    }

    public LanesConfig config() {
        return config;
    }

    /**
     * Adds a socket to its user's lane. The user id is trimmed, as {@link #publish} trims the id it targets.
     *
     * @throws HeraldException 401 for a blank user id, 429 past {@code lanes.maxSocketsPerUser}
     */
    public LaneSocket join(String rawUserId, Connection c) {
        if (rawUserId == null || rawUserId.isBlank()) {
            throw new HeraldException(ErrorCode.INVALID_CREDENTIALS, "The credential carries no user id.");
        }
        String userId = rawUserId.trim();
        while (true) {
            Lane lane = lanes.computeIfAbsent(userId, Lane::new);
            synchronized (lane) {
                if (lane.removed) {
                    continue;
                }
                if (lane.sockets.size() >= config.maxSocketsPerUser()) {
                    if (lane.sockets.isEmpty()) {
                        drop(lane);
                    }
                    throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many sockets for this user.");
                }
                if (lane.topic == null) {
                    lane.topic = broker.subscribe(topic(userId), messages, this::onMessage);
                }
                LaneSocket s = new LaneSocket(userId, c, broker.ready(topic(userId)));
                lane.sockets.add(s);
                meters.connections(PRIMITIVE).incrementAndGet();
                return s;
            }
        }
    }

    /** Removes a closed socket; deliveries stop waiting for it (its publisher is told). Harmless twice. */
    public void leave(LaneSocket s) {
        Lane lane = lanes.get(s.userId);
        if (lane == null) {
            return;
        }
        List<Reply> gone = new ArrayList<>();
        synchronized (lane) {
            if (s.closed || !lane.sockets.remove(s)) {
                return;
            }
            s.closed = true;
            meters.connections(PRIMITIVE).decrementAndGet();
            lane.owing.values().removeIf(o -> {
                if (o.waiting().remove(s)) {
                    gone.add(new Reply(o.envelopeId(), o.origin(), false, null));
                }
                if (o.waiting().isEmpty()) {
                    o.settled();
                    return true;
                }
                return false;
            });
            if (lane.sockets.isEmpty()) {
                drop(lane);
            }
        }
        gone.forEach(this::reply);
    }

    private void drop(Lane lane) {
        lane.removed = true;
        lane.owing.values().forEach(Owed::settled);
        if (lane.topic != null) {
            lane.topic.close();
        }
        lanes.remove(lane.userId, lane);
    }

    /**
     * Adds filters (at most {@value #MAX_FILTERS_PER_MESSAGE} looked at; malformed ones, duplicates past
     * the first and ones past the per-socket cap are ignored and counted).
     *
     * @throws HeraldException 400 {@code bad_request} when {@code filters} is not an array
     */
    public FilterReply subscribe(LaneSocket s, JsonNode filters) {
        return change(s, filters, true);
    }

    /** Removes filters equal to the given ones. */
    public FilterReply unsubscribe(LaneSocket s, JsonNode filters) {
        return change(s, filters, false);
    }

    private FilterReply change(LaneSocket s, JsonNode filters, boolean add) {
        if (filters == null || !filters.isArray()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "filters must be an array of objects.");
        }
        int ignored = Math.max(0, filters.size() - MAX_FILTERS_PER_MESSAGE);
        List<Filter> parsed = new ArrayList<>();
        for (int i = 0; i < Math.min(filters.size(), MAX_FILTERS_PER_MESSAGE); i++) {
            Filter f = Filter.parse(filters.get(i));
            if (f == null) {
                ignored++;
            } else {
                parsed.add(f);
            }
        }
        Lane lane = lanes.get(s.userId);
        Object lock = lane == null ? s : lane;
        synchronized (lock) {
            for (Filter f : parsed) {
                if (add) {
                    if (s.filters.contains(f) || s.filters.size() >= config.maxFiltersPerSocket()) {
                        ignored++;
                    } else {
                        s.filters.add(f);
                    }
                } else if (!s.filters.remove(f)) {
                    ignored++;
                }
            }
            return new FilterReply(s.filters.size(), ignored);
        }
    }

    /** Records an ack and sends it to its publisher; unknown, late, duplicate or non-target acks are ignored. */
    public void ack(LaneSocket s, String envelopeId, JsonNode result) {
        Lane lane = lanes.get(s.userId);
        if (lane == null || envelopeId == null || envelopeId.isEmpty()) {
            return;
        }
        Owed o;
        synchronized (lane) {
            o = lane.owing.get(envelopeId);
            if (o == null || !o.waiting().remove(s)) {
                return;
            }
            if (o.waiting().isEmpty()) {
                lane.owing.remove(envelopeId);
                o.settled();
            }
        }
        reply(new Reply(envelopeId, o.origin(), true, result == null ? NullNode.instance : result));
    }

    /**
     * Sends {@code payload} (null: no payload key; a JSON null is kept) as {@code type} to every socket of
     * {@code userId} with a matching filter, and completes when all have acked or {@code timeout} passed
     * (clamped to 30 s).
     *
     * @throws HeraldException 429 when the lane already waits on {@code lanes.maxPendingPerLane} deliveries
     */
    public CompletableFuture<PublishResult> publish(String userId, String type, JsonNode payload, Duration timeout) {
        return publish(userId, type, payload, timeout, Publisher.IN_PROCESS);
    }

    /** As {@link #publish(String, String, JsonNode, Duration)}, recorded in the publish tail as made by {@code publisher}. */
    public CompletableFuture<PublishResult> publish(String userId, String type, JsonNode payload, Duration timeout, Publisher publisher) {
        CompletableFuture<PublishResult> published = send(userId, type, payload, timeout);
        if (tail.enabled()) {
            // a lane envelope goes to the user's sockets whatever their roles: shown as published
            String t = type == null || type.isBlank() ? "message" : type.trim();
            String text = payload == null ? null : payload.toString();
            published.whenComplete((r, failure) -> tail.add(PRIMITIVE, publisher, "user:" + userId.trim(), t, text,
                    text == null ? "no payload" : null, r == null ? 0 : r.clientCount(),
                    failure == null ? null : failure instanceof HeraldException he ? he.code().code() : ErrorCode.INTERNAL.code()));
        }
        return published;
    }

    private CompletableFuture<PublishResult> send(String userId, String type, JsonNode payload, Duration timeout) {
        if (userId == null || userId.isBlank()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "userId is required");
        }
        ValidUnicode.require(userId, "userId");
        ValidUnicode.require(type, "type");
        ValidUnicode.require(payload, "payload");
        String t = type == null || type.isBlank() ? "message" : type.trim();
        String user = userId.trim();
        // compare before toMillis(), which overflows for durations beyond ~292 million years
        long timeoutMs = timeout == null ? config.ackTimeoutMs()
                : timeout.compareTo(Duration.ofMillis(LanesConfig.MAX_ACK_TIMEOUT_MS)) > 0 ? LanesConfig.MAX_ACK_TIMEOUT_MS
                : Math.max(1, timeout.toMillis());
        meters.published(PRIMITIVE);
        pendingByUser.compute(user, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= config.maxPendingPerLane()) {
                throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many deliveries waiting for acks.");
            }
            return now + 1;
        });
        String id = UUID.randomUUID().toString();
        Delivery d = new Delivery(id, user);
        outstanding.put(id, d);
        LaneMessage m = new LaneMessage(id, t, user, payload, broker.nodeId(), timeoutMs, encode(id, t, user, payload));
        try {
            broker.publish(topic(user), m, messages).whenComplete((delivered, failure) -> {
                if (failure != null) {
                    fail(d, failure);
                } else if (d.expect(delivered.count())) {
                    finish(d);
                }
            });
        } catch (RuntimeException e) {
            fail(d, e);
        }
        // after the publish: on one node every count is in by now, so even a 1 ms timeout reports the sockets reached
        if (!d.future.isDone()) {
            d.timeout = timer.schedule(() -> finish(d), timeoutMs, TimeUnit.MILLISECONDS);
        }
        return d.future;
    }

    /**
     * A publish reaching this node: its envelope goes to the user's sockets here whose filters match,
     * which then owe their acks to the publishing node. Reports how many sockets it was sent to.
     */
    private CompletableFuture<Integer> onMessage(String topic, LaneMessage m, Broker.Position position) {
        Lane lane = lanes.get(m.user());
        if (lane == null) {
            return CompletableFuture.completedFuture(0);
        }
        List<LaneSocket> targets = new ArrayList<>();
        synchronized (lane) {
            if (lane.removed) {
                return CompletableFuture.completedFuture(0);
            }
            for (LaneSocket s : lane.sockets) {
                for (Filter f : s.filters) {
                    if (f.matches(m.type(), m.payload())) {
                        targets.add(s);
                        break;
                    }
                }
            }
            if (targets.isEmpty()) {
                return CompletableFuture.completedFuture(0);
            }
            Owed owed = new Owed(m.envelopeId(), m.origin(), new HashSet<>(targets));
            lane.owing.put(m.envelopeId(), owed);
            // the publisher stops waiting at its timeout: what is still owed then is forgotten here too
            owed.expiry(timer.schedule(() -> {
                synchronized (lane) {
                    lane.owing.remove(m.envelopeId(), owed);
                }
            }, m.timeoutMs(), TimeUnit.MILLISECONDS));
        }
        fanout.toEach(PRIMITIVE, 0, targets, new LocalFanout.Targets<LaneSocket>() {
            @Override
            public Connection connection(LaneSocket s) {
                return s.connection;
            }

            @Override
            public EncodedMessage message(LaneSocket s) {
                return m.envelope();
            }

            @Override
            public void undelivered(LaneSocket s) {
                // no ack will come from a socket that did not take the envelope: its leave tells the publisher
                s.connection.close(ErrorCode.INTERNAL, "delivery failure");
                leave(s);
            }
        });
        // the sockets it was sent to, known now: each acks, or its leave tells the publisher
        return CompletableFuture.completedFuture(targets.size());
    }

    /** Sends an ack or a socket's leave to the node that published the envelope. */
    private void reply(Reply r) {
        try {
            broker.publish("lane-replies/" + r.origin(), r, replyCodec).exceptionally(e -> {
                log.debug("a lane reply to node {} was not sent: {}", r.origin(), e.toString());
                return null;
            });
        } catch (RuntimeException e) {
            log.debug("a lane reply to node {} was not sent: {}", r.origin(), e.toString());
        }
    }

    /** An ack or a leave for one of this node's publishes. */
    private CompletableFuture<Integer> onReply(String topic, Reply r, Broker.Position position) {
        Delivery d = outstanding.get(r.envelopeId());
        if (d != null && d.answered(r.acked() ? r.result() : null)) {
            finish(d);
        }
        return CompletableFuture.completedFuture(0);
    }

    private void fail(Delivery d, Throwable failure) {
        if (outstanding.remove(d.envelopeId, d)) {
            cancelTimeout(d);
            release(d.user);
            d.future.completeExceptionally(failure);
        }
    }

    private void finish(Delivery d) {
        if (outstanding.remove(d.envelopeId, d)) {
            cancelTimeout(d);
            release(d.user);
            d.future.complete(d.result());
        }
    }

    /** A timeout that fires before {@code publish} has stored it finds none to cancel. */
    private static void cancelTimeout(Delivery d) {
        java.util.concurrent.ScheduledFuture<?> t = d.timeout;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void release(String user) {
        pendingByUser.computeIfPresent(user, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static String topic(String userId) {
        return "lane/" + userId;
    }

    private EncodedMessage encode(String id, String type, String user, JsonNode payload) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("envelopeId", id);
            g.writeStringField("type", type);
            g.writeStringField("userId", user);
            g.writeStringField("timestamp", TIMESTAMP.format(Instant.now()));
            if (payload != null) {
                g.writeFieldName("payload");
                json.writeTree(g, payload);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new HeraldException(ErrorCode.INTERNAL, "encoding failed", e);
        }
        return EncodedMessage.text(out.toByteArray());
    }

    /** Lanes (users with at least one socket) on this node. */
    public int laneCount() {
        return lanes.size();
    }

    /** Up to {@code limit} lanes of this node, by user id; each read under its own monitor. */
    public List<LaneView> inspect(int limit) {
        List<LaneView> out = new ArrayList<>();
        // the first names the map gives, then sorted: no sort over every name of a large node once a second
        List<String> names = new ArrayList<>();
        for (String n : lanes.keySet()) {
            if (names.size() >= limit) {
                break;
            }
            names.add(n);
        }
        java.util.Collections.sort(names);
        for (String user : names) {
            Lane lane = lanes.get(user);
            if (lane == null) {
                continue;
            }
            synchronized (lane) {
                int owed = 0;
                for (Owed o : lane.owing.values()) {
                    owed += o.waiting().size();
                }
                out.add(new LaneView(user, lane.sockets.size(), owed, pendingByUser.getOrDefault(user, 0)));
            }
        }
        return out;
    }

    /** Timers waiting in the hub's timer queue (publish timeouts and owed acks): for tests of what a publish leaves behind. */
    int pendingTimers() {
        return ((ScheduledThreadPoolExecutor) timer).getQueue().size();
    }

    @Override
    public void close() {
        replies.close();
        timer.shutdownNow();
    }
}
