package io.herald.channel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.LocalFanout;
import io.herald.cluster.Broker;
import io.herald.cluster.InMemoryBroker;
import io.herald.ValidUnicode;
import io.herald.Meters;
import io.herald.config.ChannelsConfig;
import io.herald.inspect.PublishTail;
import io.herald.inspect.Publisher;
import io.herald.storage.RoomStore;
import io.herald.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Channels primitive's hub: one {@link Channel} per name with its id counter and replay ring.
 * A publish assigns the next id, encodes the SSE frame once, keeps it in the ring and writes it to
 * every subscriber (one task per event loop). A subscribe replays what the client missed, or tells it
 * with {@code realtime.reset} when that is impossible, then goes live with no gap or duplicate.
 * With {@code channels.durable} the ring and counter live in {@link Storage} and survive restarts.
 *
 * <p><b>On a shared broker</b> (a cluster) the broker's stream is the ring: an event's id is its
 * offset in the channel's stream, the same on every node, so {@code Last-Event-ID} resumes on any node
 * and polling answers from any node. A subscribe reads its replay from the broker's history while the
 * live events that arrive meanwhile are held for it, then sends both without gap or duplicate. When the
 * broker reports a gap (this node lost its connection to the others), every subscriber of the channel
 * recovers the same way from the last id it was sent: missed events when the history still holds them,
 * a {@code realtime.reset} when it does not. A stream that restarted under a new epoch (Redis lost it)
 * gives its subscribers a {@code realtime.reset} with reason {@code stream_reset}. {@code channels.durable}
 * is not used there: the broker's store is what survives.
 * Thread-safe; owns its eviction timer and durable-write thread.
 */
public final class ChannelHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelHub.class);
    private static final String PRIMITIVE = "channels";
    private static final String STORE_PARTY = "_channels";
    private static final Pattern EVENT_NAME = Pattern.compile("[^\\r\\n]{1,256}");
    /** How long a channel's history lives in a shared broker after its last event. */
    public static final long SHARED_RING_TTL_SECONDS = 86_400;
    /** Live events held for one subscriber while its replay is read; past it, it recovers again afterwards. */
    static final int MAX_HELD = 10_000;

    private final ChannelsConfig config;
    private final Pattern names;
    private final Storage storage;
    private final Meters meters;
    private final ObjectMapper json;
    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final ExecutorService durableWrites;
    private final Broker broker;
    private final LocalFanout fanout;
    private final Broker.Codec<Live> liveCodec;
    private final boolean shared;
    private final Broker.Retention ring;
    private final int historyLimit;
    private final PublishTail tail;

    /** A channel event between nodes: its channel, id, name and data; the SSE frame is made again on arrival. */
    private static final class LiveCodec implements Broker.Codec<Live> {
        private final ObjectMapper json;

        LiveCodec(ObjectMapper json) {
            this.json = json;
        }

        @Override
        public byte[] encode(Live l) {
            ObjectNode n = json.createObjectNode().put("c", l.channel()).put("i", l.event().id())
                    .put("e", l.event().event()).put("d", l.event().data());
            return n.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Live decode(byte[] bytes) {
            try {
                JsonNode n = json.readTree(bytes);
                long id = n.get("i").asLong();
                String event = n.get("e").asText();
                String data = n.get("d").asText();
                // on a shared broker the id is the stream offset, given with the message, not in it
                return new Live(n.get("c").asText(), new ChannelEvent(id, event, data, id == 0 ? null : SseCodec.event(event, id, data)));
            } catch (java.io.IOException e) {
                throw new HeraldException(ErrorCode.INTERNAL, "undecodable channel event", e);
            }
        }
    }

    /** The result of a publish: subscribers written and the event's id. */
    public record Published(int delivered, long id) {
    }

    /** One entry of the polling view. */
    public record Entry(long id, String event, String data) {
    }

    /** One channel of this node as the admin page shows it: its name, subscribers here and the last id it knows. */
    public record ChannelView(String name, int subscribers, long lastId) {
    }

    /** A hub on a broker of its own: one node (tests and embedders that need nothing else). */
    public ChannelHub(ChannelsConfig config, Storage storage, Meters meters, ObjectMapper json) {
        this(config, storage, new InMemoryBroker(), meters, json);
    }

    public ChannelHub(ChannelsConfig config, Storage storage, Broker broker, Meters meters, ObjectMapper json) {
        this(config, storage, broker, meters, json, PublishTail.off());
    }

    /** A hub that records each publish of this node in {@code tail}. */
    public ChannelHub(ChannelsConfig config, Storage storage, Broker broker, Meters meters, ObjectMapper json, PublishTail tail) {
        this.tail = tail;
        this.broker = broker;
        this.fanout = new LocalFanout(meters);
        this.liveCodec = new LiveCodec(json);
        this.config = config;
        this.names = Pattern.compile(config.pattern());
        this.storage = storage;
        this.meters = meters;
        this.json = json;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "herald-channels-timer"));
        this.shared = broker.shared();
        this.ring = new Broker.Retention(config.replayBufferSize(), SHARED_RING_TTL_SECONDS);
        // an approximately trimmed history may hold a little more than its size; read all of it
        this.historyLimit = 2 * config.replayBufferSize() + 100;
        if (shared && config.durable()) {
            log.info("channels.durable is not used in a cluster: the broker's history is the channels' ring");
        }
        this.durableWrites = config.durable() && !shared ? Executors.newSingleThreadExecutor(r -> daemon(r, "herald-channels-durable")) : null;
        long period = Math.max(50, Math.min(5_000, config.idleEvictMs() / 2));
        timer.scheduleAtFixedRate(this::evictIdle, period, period, TimeUnit.MILLISECONDS);
        meters.connections(PRIMITIVE);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public ChannelsConfig config() {
        return config;
    }

    /**
     * Checks a channel name against {@code channels.pattern}.
     *
     * @throws HeraldException 400 for a name that does not match
     */
    public void validateName(String channel) {
        if (channel == null || !names.matcher(channel).matches()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "Invalid channel name.");
        }
    }

    /**
     * Publishes {@code data} (any JSON, null allowed) as {@code event} on {@code channel} from this process.
     *
     * @throws HeraldException 400 for a bad channel or event name, 429 when a new channel would pass {@code maxChannels}
     */
    public CompletableFuture<Published> publish(String channel, String event, JsonNode data) {
        return publish(channel, event, data, Publisher.IN_PROCESS);
    }

    /** As {@link #publish(String, String, JsonNode)}, recorded in the publish tail as made by {@code publisher}. */
    public CompletableFuture<Published> publish(String channel, String event, JsonNode data, Publisher publisher) {
        CompletableFuture<Published> published = send(channel, event, data);
        if (tail.enabled()) {
            // channel data goes to every reader the channel rules admit, whatever their roles: shown as published
            String text = data == null ? "null" : data.toString();
            published.whenComplete((p, failure) -> tail.add(PRIMITIVE, publisher, channel, event, text, null,
                    p == null ? 0 : p.delivered(), failure == null ? null : errorCode(failure)));
        }
        return published;
    }

    private static String errorCode(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return t instanceof HeraldException he ? he.code().code() : ErrorCode.INTERNAL.code();
    }

    private CompletableFuture<Published> send(String channel, String event, JsonNode data) {
        validateName(channel);
        if (event == null || !EVENT_NAME.matcher(event).matches()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "event must be a non-empty name without newlines.");
        }
        ValidUnicode.require(event, "event");
        ValidUnicode.require(data, "data");
        String text;
        try {
            text = json.writeValueAsString(data == null ? NullNode.instance : data);
        } catch (JsonProcessingException e) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "data is not serialisable.");
        }
        meters.published(PRIMITIVE);
        if (shared) {
            Live live = new Live(channel, new ChannelEvent(0, event, text, null));
            return broker.publish(topic(channel), live, liveCodec, ring)
                    .thenApply(d -> new Published(d.count(), d.position().offset()));
        }
        if (durableWrites == null) {
            return deliver(append(channel, event, text));
        }
        CompletableFuture<Live> appended = new CompletableFuture<>();
        durableWrites.execute(() -> {
            try {
                appended.complete(append(channel, event, text));
            } catch (RuntimeException e) {
                appended.completeExceptionally(e);
            }
        });
        return appended.thenCompose(this::deliver);
    }

    /** An event of a channel on its way through the broker to every node's subscribers. */
    private record Live(String channel, ChannelEvent event) {
    }

    private Live append(String name, String event, String data) {
        while (true) {
            Channel ch = channel(name, true);
            synchronized (ch) {
                if (ch.evicted) {
                    continue;
                }
                long id = ch.lastId + 1;
                ChannelEvent e = new ChannelEvent(id, event, data, SseCodec.event(event, id, data));
                List<ChannelEvent> dropped = new ArrayList<>(1);
                ch.ring.addLast(e);
                while (ch.ring.size() > config.replayBufferSize()) {
                    dropped.add(ch.ring.removeFirst());
                }
                if (durableWrites != null) {
                    persist(ch, e, dropped);
                }
                ch.lastId = id;
                ch.lastActiveNanos = System.nanoTime();
                return new Live(name, e);
            }
        }
    }

    private CompletableFuture<Published> deliver(Live live) {
        return broker.publish(topic(live.channel()), live, liveCodec).thenApply(d -> new Published(d.count(), live.event().id()));
    }

    /** A channel event reaching this node: written to the subscribers whose replay did not already hold it. */
    private CompletableFuture<Integer> onLive(String topic, Live live, Broker.Position position) {
        if (shared) {
            return onSharedLive(live, position);
        }
        long start = System.nanoTime();
        Channel ch = channels.get(live.channel());
        if (ch == null) {
            return CompletableFuture.completedFuture(0);
        }
        long id = live.event().id();
        List<Connection> targets;
        synchronized (ch) {
            targets = new ArrayList<>(ch.subscribers.size());
            ch.subscribers.forEach((c, replayed) -> {
                if (replayed < id) {
                    targets.add(c);
                }
            });
        }
        return fanout.toAll(PRIMITIVE, start, targets, live.event().frame());
    }

    /**
     * An event of the shared stream reaching this node: held for recovering subscribers, written to the
     * others that were not sent it yet. A new epoch first resets every subscriber.
     */
    private CompletableFuture<Integer> onSharedLive(Live live, Broker.Position position) {
        long start = System.nanoTime();
        Channel ch = channels.get(live.channel());
        if (ch == null) {
            return CompletableFuture.completedFuture(0);
        }
        long id = position.offset();
        ChannelEvent e = new ChannelEvent(id, live.event().event(), live.event().data(),
                SseCodec.event(live.event().event(), id, live.event().data()));
        List<Connection> targets = new ArrayList<>();
        synchronized (ch) {
            ch.recovering.forEach((c, held) -> {
                if (held.size() < MAX_HELD) {
                    held.add(e);
                } else {
                    // bounded: this subscriber reads the history again once its replay is out
                    ch.overflowed.add(c);
                }
            });
            if (!position.epoch().equals(ch.epoch)) {
                if (!ch.epoch.isEmpty()) {
                    // the stream was lost and restarted: the ids the subscribers hold mean nothing now
                    EncodedMessage reset = SseCodec.event("realtime.reset", id - 1,
                            "{\"reason\":\"stream_reset\",\"lastKnownId\":" + ch.lastId + "}");
                    ch.subscribers.replaceAll((c, upTo) -> {
                        c.executor().execute(() -> c.send(reset));
                        return id - 1;
                    });
                }
                ch.epoch = position.epoch();
                ch.lastId = id - 1;
            }
            ch.lastId = Math.max(ch.lastId, id);
            ch.subscribers.replaceAll((c, upTo) -> {
                if (upTo < id) {
                    targets.add(c);
                    return id;
                }
                return upTo;
            });
        }
        return fanout.toAll(PRIMITIVE, start, targets, e.frame());
    }

    /**
     * Reads the shared history once for {@code from} (each connection with the last id it holds), then
     * sends each what it is owed and the events held for it meanwhile, and makes it a live subscriber.
     */
    private void recover(Channel ch, Map<Connection, Long> from) {
        long since = from.values().stream().mapToLong(Long::longValue).min().orElse(0);
        CompletableFuture<Broker.History<Live>> read;
        try {
            read = broker.history(topic(ch.name), liveCodec, since, historyLimit);
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((history, failure) -> recovered(ch, from, history, failure));
    }

    private void recovered(Channel ch, Map<Connection, Long> from, Broker.History<Live> history, Throwable failure) {
        Map<Connection, Long> again;
        synchronized (ch) {
            // the stream restarted under a new epoch since this node last saw it (Redis lost it): ids held are void
            boolean restarted = failure == null && !ch.epoch.isEmpty() && !history.top().epoch().equals(ch.epoch);
            if (failure == null) {
                if (ch.epoch.isEmpty() || restarted) {
                    ch.epoch = history.top().epoch();
                    ch.lastId = 0;
                }
                ch.lastId = Math.max(ch.lastId, history.top().offset());
            }
            from.forEach((c, n) -> {
                List<ChannelEvent> held = ch.recovering.get(c);
                if (held == null) {
                    return;
                }
                if (failure != null) {
                    log.debug("channel {} history unavailable for a subscriber: {}", ch.name, failure.toString());
                    execute(c, () -> c.close(ErrorCode.BROKER_UNAVAILABLE, "history unavailable"));
                    return;
                }
                List<EncodedMessage> out = new ArrayList<>();
                if (restarted) {
                    out.add(SseCodec.event("realtime.reset", 0, "{\"reason\":\"stream_reset\",\"lastKnownId\":" + n + "}"));
                }
                for (Owed o : owed(history, restarted ? 0 : n)) {
                    out.add(o.frame() != null ? o.frame() : SseCodec.event(o.event(), o.id(), o.data()));
                }
                // the replay (or its reset) covers everything up to the history's top
                long upTo = history.top().offset();
                for (ChannelEvent e : held) {
                    if (e.id() > upTo) {
                        out.add(e.frame());
                        upTo = e.id();
                    }
                }
                ch.recovering.remove(c);
                ch.subscribers.put(c, upTo);
                execute(c, () -> out.forEach(c::send));
            });
            again = new java.util.LinkedHashMap<>();
            for (Connection c : ch.overflowed) {
                Long upTo = ch.subscribers.remove(c);
                if (upTo != null) {
                    again.put(c, upTo);
                    ch.recovering.put(c, new ArrayList<>());
                }
            }
            ch.overflowed.clear();
        }
        if (!again.isEmpty()) {
            recover(ch, again);
        }
    }

    private static void execute(Connection c, Runnable task) {
        try {
            c.executor().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // its loop is shutting down with the connection
        }
    }

    /** The broker may have lost events of a channel on this node: every subscriber recovers from the last id it was sent. */
    private void onGap(String name) {
        Channel ch = channels.get(name);
        if (ch == null) {
            return;
        }
        Map<Connection, Long> from;
        synchronized (ch) {
            from = new java.util.LinkedHashMap<>(ch.subscribers);
            ch.subscribers.clear();
            from.keySet().forEach(c -> ch.recovering.put(c, new ArrayList<>()));
        }
        if (!from.isEmpty()) {
            recover(ch, from);
        }
    }

    /**
     * What a reader after id {@code n} is owed from a shared history, by the same rule as on one node
     * ({@link #owed(long, long, List)}).
     */
    private static List<Owed> owed(Broker.History<Live> h, long n) {
        List<Owed> held = new ArrayList<>(h.entries().size());
        for (Broker.Entry<Live> e : h.entries()) {
            ChannelEvent ev = e.message().event();
            held.add(new Owed(e.position().offset(), ev.event(), ev.data(), null));
        }
        return owed(n, h.top().offset(), held);
    }

    private static String topic(String channel) {
        return "channel/" + channel;
    }

    /**
     * Subscribes {@code c} after {@code lastEventId}: queues on its executor the {@code : connected}
     * comment, then the reset or replay it is owed, before any later live event.
     *
     * @throws HeraldException 429 past {@code maxSubscribersPerChannel} or {@code maxChannels}
     */
    public Subscription subscribe(String name, long lastEventId, Connection c) {
        validateName(name);
        while (true) {
            Channel ch = channel(name, true);
            synchronized (ch) {
                if (ch.evicted) {
                    continue;
                }
                if (ch.subscribers.size() + ch.recovering.size() >= config.maxSubscribersPerChannel()) {
                    throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many subscribers on this channel.");
                }
                if (shared) {
                    if (ch.subscribers.isEmpty() && ch.recovering.isEmpty()) {
                        ch.live = broker.subscribe(topic(name), liveCodec, this::onLive, t -> onGap(name));
                    }
                    ch.recovering.put(c, new ArrayList<>());
                    ch.lastActiveNanos = System.nanoTime();
                    meters.connections(PRIMITIVE).incrementAndGet();
                    execute(c, () -> c.send(SseCodec.CONNECTED));
                    recover(ch, Map.of(c, lastEventId));
                    return () -> unsubscribe(ch, c);
                }
                List<EncodedMessage> first = new ArrayList<>();
                first.add(SseCodec.CONNECTED);
                for (Owed e : owed(ch, lastEventId)) {
                    first.add(e.frame() != null ? e.frame() : SseCodec.event(e.event(), e.id(), e.data()));
                }
                if (ch.subscribers.isEmpty()) {
                    ch.live = broker.subscribe(topic(name), liveCodec, this::onLive);
                }
                ch.subscribers.put(c, ch.lastId);
                ch.lastActiveNanos = System.nanoTime();
                meters.connections(PRIMITIVE).incrementAndGet();
                c.executor().execute(() -> {
                    for (EncodedMessage m : first) {
                        c.send(m);
                    }
                });
                return () -> unsubscribe(ch, c);
            }
        }
    }

    private void unsubscribe(Channel ch, Connection c) {
        synchronized (ch) {
            if (ch.subscribers.remove(c) != null | ch.recovering.remove(c) != null) {
                ch.lastActiveNanos = System.nanoTime();
                meters.connections(PRIMITIVE).decrementAndGet();
                ch.overflowed.remove(c);
                if (ch.subscribers.isEmpty() && ch.recovering.isEmpty() && ch.live != null) {
                    ch.live.close();
                    ch.live = null;
                }
            }
        }
    }

    /**
     * The polling view, as {@link #poll} gives it, without blocking: on a shared broker it is read from
     * the broker's history.
     */
    public CompletableFuture<List<Entry>> pollAsync(String name, long lastEventId) {
        validateName(name);
        if (!shared) {
            return CompletableFuture.completedFuture(poll(name, lastEventId));
        }
        return broker.history(topic(name), liveCodec, lastEventId, historyLimit)
                .thenApply(h -> owed(h, lastEventId).stream().map(e -> new Entry(e.id(), e.event(), e.data())).toList());
    }

    /**
     * The polling view: what a subscribe after {@code lastEventId} would replay, as entries. On a shared
     * broker this waits for the broker's history: call {@link #pollAsync} on an event loop.
     */
    public List<Entry> poll(String name, long lastEventId) {
        validateName(name);
        if (shared) {
            return pollAsync(name, lastEventId).join();
        }
        Channel ch = channel(name, false);
        if (ch == null) {
            ch = new Channel(name);
        }
        synchronized (ch) {
            return owed(ch, lastEventId).stream().map(e -> new Entry(e.id(), e.event(), e.data())).toList();
        }
    }

    /** An owed event: replayed from the ring (frame set) or a reset notice made for this client. */
    private record Owed(long id, String event, String data, EncodedMessage frame) {
    }

    private List<Owed> owed(Channel ch, long n) {
        List<Owed> held = new ArrayList<>(ch.ring.size());
        for (ChannelEvent e : ch.ring) {
            held.add(new Owed(e.id(), e.event(), e.data(), e.frame()));
        }
        return owed(n, ch.lastId, held);
    }

    /**
     * The one rule for what a reader after id {@code n} is owed, on one node or from a shared history,
     * given the channel's last id {@code top} and the events still {@code held} (oldest first): a
     * {@code buffer_gap} reset past the top; nothing at the top; else a {@code buffer_overflow} reset when
     * the event after {@code n} is gone (not for a new reader, {@code n} = 0), then every held event after {@code n}.
     */
    private static List<Owed> owed(long n, long top, List<Owed> held) {
        List<Owed> out = new ArrayList<>();
        if (n > top) {
            out.add(reset(top, "{\"reason\":\"buffer_gap\",\"lastKnownId\":" + n + "}"));
            return out;
        }
        if (n == top) {
            return out;
        }
        List<Owed> after = held.stream().filter(e -> e.id() > n).toList();
        long oldest = after.isEmpty() ? top + 1 : after.get(0).id();
        if (n > 0 && oldest > n + 1) {
            out.add(reset(oldest - 1, "{\"reason\":\"buffer_overflow\",\"lastKnownId\":" + n + ",\"oldestId\":" + oldest + "}"));
        }
        out.addAll(after);
        return out;
    }

    private static Owed reset(long id, String data) {
        return new Owed(id, "realtime.reset", data, null);
    }

    private Channel channel(String name, boolean create) {
        Channel ch = channels.get(name);
        if (ch != null || !create) {
            return ch != null ? ch : (config.durable() ? loadIfStored(name) : null);
        }
        return channels.computeIfAbsent(name, k -> {
            if (channels.size() >= config.maxChannels()) {
                throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many channels.");
            }
            Channel fresh = new Channel(k);
            if (config.durable()) {
                load(fresh);
            }
            return fresh;
        });
    }

    private Channel loadIfStored(String name) {
        Channel ch = new Channel(name);
        load(ch);
        return ch;
    }

    // --- durable ring: key "last" holds the counter, "e:<19-digit id>" each buffered event ---

    private RoomStore store(String name) {
        return storage.room(STORE_PARTY, name);
    }

    private void load(Channel ch) {
        RoomStore s = store(ch.name);
        ch.lastId = s.getString("last").map(Long::parseLong).orElse(0L);
        s.list("e:").forEach((k, v) -> {
            long id = Long.parseLong(k.substring(2));
            String text = new String(v, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String event = text.substring(0, nl);
            String data = text.substring(nl + 1);
            ch.ring.addLast(new ChannelEvent(id, event, data, SseCodec.event(event, id, data)));
        });
        while (ch.ring.size() > config.replayBufferSize()) {
            ch.ring.removeFirst();
        }
    }

    private void persist(Channel ch, ChannelEvent e, List<ChannelEvent> dropped) {
        store(ch.name).batch(b -> {
            if (config.replayBufferSize() > 0) {
                b.put(key(e.id()), (e.event() + "\n" + e.data()).getBytes(StandardCharsets.UTF_8));
            }
            for (ChannelEvent d : dropped) {
                if (d != e) {
                    b.delete(key(d.id()));
                }
            }
            b.put("last", Long.toString(e.id()).getBytes(StandardCharsets.UTF_8));
        });
    }

    private static String key(long id) {
        return String.format("e:%019d", id);
    }

    private void evictIdle() {
        long idle = TimeUnit.MILLISECONDS.toNanos(config.idleEvictMs());
        long now = System.nanoTime();
        for (Channel ch : channels.values()) {
            synchronized (ch) {
                if (ch.subscribers.isEmpty() && ch.recovering.isEmpty() && now - ch.lastActiveNanos >= idle) {
                    ch.evicted = true;
                    channels.remove(ch.name, ch);
                }
            }
        }
    }

    /** Channels in memory. */
    public int channelCount() {
        return channels.size();
    }

    /** Up to {@code limit} channels of this node, by name; each read under its own monitor. */
    public List<ChannelView> inspect(int limit) {
        List<ChannelView> out = new ArrayList<>();
        // the first names the map gives, then sorted: no sort over every name of a large node once a second
        List<String> names = new ArrayList<>();
        for (String n : channels.keySet()) {
            if (names.size() >= limit) {
                break;
            }
            names.add(n);
        }
        java.util.Collections.sort(names);
        for (String name : names) {
            Channel ch = channels.get(name);
            if (ch != null) {
                synchronized (ch) {
                    out.add(new ChannelView(name, ch.subscribers.size() + ch.recovering.size(), ch.lastId));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        if (durableWrites != null) {
            durableWrites.shutdown();
            try {
                durableWrites.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A subscriber's registration; closing it twice is harmless. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
