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
import io.herald.config.LanesConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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

    /** How many filters a socket holds after a subscribe/unsubscribe, and how many were not applied. */
    public record FilterReply(int count, int ignored) {
    }

    /** What a publish returns: matched sockets, and ack results in arrival order. */
    public record PublishResult(int clientCount, List<JsonNode> results) {
    }

    public LaneHub(LanesConfig config, Meters meters, ObjectMapper json) {
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
                LaneSocket s = new LaneSocket(userId, c);
                lane.sockets.add(s);
                meters.connections(PRIMITIVE).incrementAndGet();
                return s;
            }
        }
    }

    /** Removes a closed socket; deliveries stop waiting for it. Harmless twice. */
    public void leave(LaneSocket s) {
        Lane lane = lanes.get(s.userId);
        if (lane == null) {
            return;
        }
        List<Delivery> done = new ArrayList<>();
        synchronized (lane) {
            if (s.closed || !lane.sockets.remove(s)) {
                return;
            }
            s.closed = true;
            meters.connections(PRIMITIVE).decrementAndGet();
            for (Delivery d : List.copyOf(lane.pending.values())) {
                if (d.waiting.remove(s) && d.waiting.isEmpty()) {
                    lane.pending.remove(d.envelopeId);
                    done.add(d);
                }
            }
            if (lane.sockets.isEmpty()) {
                drop(lane);
            }
        }
        done.forEach(this::finish);
    }

    private void drop(Lane lane) {
        lane.removed = true;
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

    /** Records an ack; unknown, late, duplicate or non-target acks are ignored. */
    public void ack(LaneSocket s, String envelopeId, JsonNode result) {
        Lane lane = lanes.get(s.userId);
        if (lane == null || envelopeId == null || envelopeId.isEmpty()) {
            return;
        }
        Delivery done = null;
        synchronized (lane) {
            Delivery d = lane.pending.get(envelopeId);
            if (d != null && d.waiting.remove(s)) {
                d.results.add(result == null ? NullNode.instance : result);
                if (d.waiting.isEmpty()) {
                    lane.pending.remove(envelopeId);
                    done = d;
                }
            }
        }
        if (done != null) {
            finish(done);
        }
    }

    /**
     * Sends {@code payload} (null: no payload key; a JSON null is kept) as {@code type} to every socket of
     * {@code userId} with a matching filter, and completes when all have acked or {@code timeout} passed
     * (clamped to 30 s).
     *
     * @throws HeraldException 429 when the lane already waits on {@code lanes.maxPendingPerLane} deliveries
     */
    public CompletableFuture<PublishResult> publish(String userId, String type, JsonNode payload, Duration timeout) {
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
        Lane lane = lanes.get(user);
        if (lane == null) {
            return CompletableFuture.completedFuture(new PublishResult(0, List.of()));
        }
        Delivery d;
        EncodedMessage envelope;
        synchronized (lane) {
            List<LaneSocket> targets = new ArrayList<>();
            for (LaneSocket s : lane.sockets) {
                for (Filter f : s.filters) {
                    if (f.matches(t, payload)) {
                        targets.add(s);
                        break;
                    }
                }
            }
            if (targets.isEmpty()) {
                return CompletableFuture.completedFuture(new PublishResult(0, List.of()));
            }
            if (lane.pending.size() >= config.maxPendingPerLane()) {
                throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many deliveries waiting for acks.");
            }
            String id = UUID.randomUUID().toString();
            envelope = encode(id, t, user, payload);
            d = new Delivery(id, targets);
            lane.pending.put(id, d);
            d.timeout = timer.schedule(() -> expire(lane, d), timeoutMs, TimeUnit.MILLISECONDS);
        }
        send(lane, d, envelope);
        return d.future;
    }

    private void send(Lane lane, Delivery d, EncodedMessage envelope) {
        List<LaneSocket> targets;
        synchronized (lane) {
            targets = new ArrayList<>(d.waiting);
        }
        fanout.toEach(PRIMITIVE, 0, targets, new LocalFanout.Targets<LaneSocket>() {
            @Override
            public Connection connection(LaneSocket s) {
                return s.connection;
            }

            @Override
            public EncodedMessage message(LaneSocket s) {
                return envelope;
            }

            @Override
            public void undelivered(LaneSocket s) {
                // no ack will come from a socket that did not take the envelope: the delivery stops waiting for it
                s.connection.close(ErrorCode.INTERNAL, "delivery failure");
                leave(s);
            }
        });
    }

    private void expire(Lane lane, Delivery d) {
        synchronized (lane) {
            if (lane.pending.remove(d.envelopeId) == null) {
                return;
            }
        }
        finish(d);
    }

    private void finish(Delivery d) {
        if (d.timeout != null) {
            d.timeout.cancel(false);
        }
        // The delivery left its lane's pending map under the lane's monitor on this thread, so no ack can
        // still change its results: reading them here is safe.
        d.future.complete(d.result());
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

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
