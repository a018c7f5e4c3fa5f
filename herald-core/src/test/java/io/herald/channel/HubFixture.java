package io.herald.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Meters;
import io.herald.config.ChannelsConfig;
import io.herald.storage.SqliteStorage;
import io.herald.storage.Storage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Builds hubs and subscribers for the channel tests and closes them afterwards (the subscribers'
 * threads, the hubs' timers, the storages).
 */
final class HubFixture implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private int storages;

    HubFixture(Path dir) {
        this.dir = dir;
    }

    /** Limits: subscribers per channel, replay ring size, idle eviction (ms), channels. Heartbeat is irrelevant here. */
    static ChannelsConfig limits(int maxSubscribers, int replay, long idleEvictMs, int maxChannels) {
        return ChannelsConfig.defaults().withLimits(maxSubscribers, 30_000, replay, idleEvictMs, maxChannels);
    }

    static ChannelsConfig ring(int replay) {
        return limits(ChannelsConfig.DEFAULT_MAX_SUBSCRIBERS, replay, ChannelsConfig.DEFAULT_IDLE_EVICT_MS,
                ChannelsConfig.DEFAULT_MAX_CHANNELS);
    }

    /** A fresh SQLite storage file in the temp dir. */
    Storage storage() {
        return storage(dir.resolve("channels-" + (++storages) + ".db"));
    }

    Storage storage(Path file) {
        Storage s = new SqliteStorage(file, 10L * 1024 * 1024);
        open.add(s);
        return s;
    }

    ChannelHub hub(ChannelsConfig config) {
        return hub(config, storage());
    }

    ChannelHub hub(ChannelsConfig config, Storage storage) {
        ChannelHub h = new ChannelHub(config, storage, new Meters(new SimpleMeterRegistry()), JSON);
        open.add(0, h);
        return h;
    }

    RecordingSubscriber subscriber() {
        RecordingSubscriber s = new RecordingSubscriber();
        open.add(0, s);
        return s;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Publishes {@code dataJson} and waits for the result. */
    static ChannelHub.Published publish(ChannelHub hub, String channel, String event, String dataJson) {
        try {
            return hub.publish(channel, event, json(dataJson)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("publish failed", e);
        }
    }

    /** Publishes events {@code e<i>} with data {@code i} for i in from..to. */
    static void publishRange(ChannelHub hub, String channel, int from, int to) {
        for (int i = from; i <= to; i++) {
            publish(hub, channel, "e" + i, Integer.toString(i));
        }
    }

    /** The frame of event {@code e<i>} with data {@code i}, as published by {@link #publishRange}. */
    static String frame(int i) {
        return "event: e" + i + "\nid: " + i + "\ndata: " + i + "\n\n";
    }

    static String frames(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sb.append(frame(i));
        }
        return sb.toString();
    }

    static String gapReset(long lastId, long lastKnown) {
        return "event: realtime.reset\nid: " + lastId + "\ndata: {\"reason\":\"buffer_gap\",\"lastKnownId\":" + lastKnown + "}\n\n";
    }

    static String overflowReset(long lastKnown, long oldest) {
        return "event: realtime.reset\nid: " + (oldest - 1) + "\ndata: {\"reason\":\"buffer_overflow\",\"lastKnownId\":"
                + lastKnown + ",\"oldestId\":" + oldest + "}\n\n";
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }
}
