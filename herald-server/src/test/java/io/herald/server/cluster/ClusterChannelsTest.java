package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Channels on two nodes sharing one Redis: the Redis stream is the ring, so event ids are the same on
 * both nodes, {@code Last-Event-ID} and polling work on either, and a reader whose node lost its pub/sub
 * connection gets the missed events from the history. The ring holds {@link #RING} events.
 */
class ClusterChannelsTest {
    static final int RING = 20;

    @RegisterExtension
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    private static TestServer a;
    private static TestServer b;
    private static final AtomicInteger CHANNELS = new AtomicInteger();

    @BeforeAll
    static void start() {
        a = TestServer.start(ring(ClusterNode.config(REDIS.url(0), PG, "a")));
        b = TestServer.start(ring(ClusterNode.config(REDIS.url(0), PG, "b")));
    }

    private static HeraldConfig ring(HeraldConfig c) {
        var ch = c.channels();
        return c.withChannels(ch.withLimits(ch.maxSubscribersPerChannel(), ch.heartbeatMs(), RING, ch.idleEvictMs(), ch.maxChannels()));
    }

    @AfterEach
    void closeClients() {
        a.closeClients();
        b.closeClients();
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    private static String newChannel() {
        return "pub:ring" + CHANNELS.incrementAndGet() + "-" + System.nanoTime();
    }

    private static long publish(TestServer node, String channel, String event, int i) {
        HttpResponse<String> r = node.publish("/channels/v1/publish",
                "{\"channel\":\"" + channel + "\",\"event\":\"" + event + "\",\"data\":{\"i\":" + i + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return TestServer.json(r.body()).get("id").asLong();
    }

    /** One parsed SSE event. */
    record Event(long id, String event, String data) {
    }

    /** The complete events among {@code lines} (an event ends at its blank line). */
    static List<Event> events(List<String> lines) {
        List<Event> out = new ArrayList<>();
        long id = -1;
        String event = null;
        String data = null;
        for (String line : List.copyOf(lines)) {
            if (line.startsWith("id: ")) {
                id = Long.parseLong(line.substring(4));
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            } else if (line.isEmpty() && event != null) {
                out.add(new Event(id, event, data));
                id = -1;
                event = null;
                data = null;
            }
        }
        return out;
    }

    private static ClusterNode.Sse read(TestServer node, String channel, String... lastEventId) {
        ClusterNode.Sse sse = lastEventId.length == 0 ? new ClusterNode.Sse(node, "/sse/" + channel)
                : new ClusterNode.Sse(node, "/sse/" + channel, "Last-Event-ID", lastEventId[0]);
        return node.closeLater(sse);
    }

    @Test
    void idsAreTheStreamOffsetsOnEveryNodeAndALastEventIdResumesOnTheOtherNode() {
        String channel = newChannel();
        assertThat(publish(a, channel, "news", 1)).isEqualTo(1);
        assertThat(publish(b, channel, "news", 2)).isEqualTo(2);
        ClusterNode.Sse onA = read(a, channel);
        waiting().until(() -> events(onA.lines).size() == 2);
        assertThat(events(onA.lines)).extracting(Event::id).containsExactly(1L, 2L);
        onA.close();

        publish(a, channel, "news", 3);
        publish(a, channel, "news", 4);
        ClusterNode.Sse onB = read(b, channel, "2");
        waiting().until(() -> events(onB.lines).size() == 2);
        long live = publish(a, channel, "news", 5);
        waiting().until(() -> events(onB.lines).size() == 3);
        assertThat(events(onB.lines)).extracting(Event::id).containsExactly(3L, 4L, live);
        assertThat(events(onB.lines).get(0).data()).isEqualTo("{\"i\":3}");
    }

    @Test
    void pollingOnAnyNodeAnswersFromTheSharedRing() {
        String channel = newChannel();
        for (int i = 1; i <= 3; i++) {
            publish(a, channel, "e", i);
        }
        HttpResponse<String> r = b.get("/channels/v1/poll/" + channel + "?lastEventId=1");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode entries = TestServer.json(r.body());
        assertThat(entries).hasSize(2);
        assertThat(entries.get(0).get("id").asLong()).isEqualTo(2);
        assertThat(entries.get(1).get("data").get("i").asInt()).isEqualTo(3);
    }

    @Test
    void anIdPastTheTopOrOlderThanTheRingGivesAReset() {
        String channel = newChannel();
        // Redis trims the history approximately, by whole stream nodes of 100 entries: pass one of them
        int total = RING + 250;
        for (int i = 1; i <= total; i++) {
            publish(a, channel, "e", i);
        }
        ClusterNode.Sse trimmed = read(b, channel, "1");
        waiting().until(() -> !events(trimmed.lines).isEmpty());
        Event reset = events(trimmed.lines).get(0);
        assertThat(reset.event()).isEqualTo("realtime.reset");
        assertThat(TestServer.json(reset.data()).get("reason").asText()).isEqualTo("buffer_overflow");

        ClusterNode.Sse future = read(b, channel, "999999");
        waiting().until(() -> !events(future.lines).isEmpty());
        Event gap = events(future.lines).get(0);
        assertThat(gap.event()).isEqualTo("realtime.reset");
        assertThat(TestServer.json(gap.data()).get("reason").asText()).isEqualTo("buffer_gap");
        assertThat(gap.id()).isEqualTo(total);
        long live = publish(a, channel, "e", 0);
        waiting().until(() -> events(future.lines).size() == 2);
        assertThat(events(future.lines).get(1).id()).isEqualTo(live);
    }

    @Test
    void aReaderWhoseNodeLostItsPubSubConnectionGetsEveryIdOnceInOrder() throws Exception {
        String channel = newChannel();
        publish(a, channel, "e", 0);
        ClusterNode.Sse reader = read(b, channel, "1");
        // the reader is live once a publish on a reaches it
        waiting().until(() -> {
            publish(a, channel, "probe", 0);
            return !events(reader.lines).isEmpty();
        });
        int total = 15;
        AtomicInteger published = new AtomicInteger();
        List<Long> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= total; i++) {
                ids.add(publish(a, channel, "tick", i));
                published.set(i);
            }
        });
        waiting().until(() -> published.get() >= total / 3);
        assertThat(REDIS.killPubSubClients(0)).isPositive();
        publishing.get(120, TimeUnit.SECONDS);
        long last = ids.get(ids.size() - 1);
        waiting().until(() -> events(reader.lines).stream().anyMatch(e -> e.id() == last));
        List<Event> seen = events(reader.lines);
        assertThat(seen).noneMatch(e -> e.event().equals("realtime.reset"));
        long first = seen.get(0).id();
        assertThat(seen).extracting(Event::id).containsExactlyElementsOf(LongStream.rangeClosed(first, last).boxed().toList());
    }
}
