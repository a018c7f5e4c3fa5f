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
 * Thread-safe; owns its eviction timer and durable-write thread.
 */
public final class ChannelHub implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelHub.class);
    private static final String PRIMITIVE = "channels";
    private static final String STORE_PARTY = "_channels";
    private static final Pattern EVENT_NAME = Pattern.compile("[^\\r\\n]{1,256}");

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
                return new Live(n.get("c").asText(), new ChannelEvent(id, event, data, SseCodec.event(event, id, data)));
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

    /** A hub on a broker of its own: one node (tests and embedders that need nothing else). */
    public ChannelHub(ChannelsConfig config, Storage storage, Meters meters, ObjectMapper json) {
        this(config, storage, new InMemoryBroker(), meters, json);
    }

    public ChannelHub(ChannelsConfig config, Storage storage, Broker broker, Meters meters, ObjectMapper json) {
        this.broker = broker;
        this.fanout = new LocalFanout(meters);
        this.liveCodec = new LiveCodec(json);
        this.config = config;
        this.names = Pattern.compile(config.pattern());
        this.storage = storage;
        this.meters = meters;
        this.json = json;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "herald-channels-timer"));
        this.durableWrites = config.durable() ? Executors.newSingleThreadExecutor(r -> daemon(r, "herald-channels-durable")) : null;
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
     * Publishes {@code data} (any JSON, null allowed) as {@code event} on {@code channel}.
     *
     * @throws HeraldException 400 for a bad channel or event name, 429 when a new channel would pass {@code maxChannels}
     */
    public CompletableFuture<Published> publish(String channel, String event, JsonNode data) {
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
                if (ch.subscribers.size() >= config.maxSubscribersPerChannel()) {
                    throw new HeraldException(ErrorCode.TOO_MANY_REQUESTS, "Too many subscribers on this channel.");
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
            if (ch.subscribers.remove(c) != null) {
                ch.lastActiveNanos = System.nanoTime();
                meters.connections(PRIMITIVE).decrementAndGet();
                if (ch.subscribers.isEmpty() && ch.live != null) {
                    ch.live.close();
                    ch.live = null;
                }
            }
        }
    }

    /** The polling view: what a subscribe after {@code lastEventId} would replay, as entries. */
    public List<Entry> poll(String name, long lastEventId) {
        validateName(name);
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
        List<Owed> out = new ArrayList<>();
        if (n > ch.lastId) {
            out.add(reset(ch.lastId, "{\"reason\":\"buffer_gap\",\"lastKnownId\":" + n + "}"));
            return out;
        }
        if (n == ch.lastId) {
            return out;
        }
        long oldest = ch.ring.isEmpty() ? ch.lastId + 1 : ch.ring.peekFirst().id();
        if (n > 0 && oldest > n + 1) {
            out.add(reset(oldest - 1, "{\"reason\":\"buffer_overflow\",\"lastKnownId\":" + n + ",\"oldestId\":" + oldest + "}"));
        }
        for (ChannelEvent e : ch.ring) {
            if (e.id() > n) {
                out.add(new Owed(e.id(), e.event(), e.data(), e.frame()));
            }
        }
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
                if (ch.subscribers.isEmpty() && now - ch.lastActiveNanos >= idle) {
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
