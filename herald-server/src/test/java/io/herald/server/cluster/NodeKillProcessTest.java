package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node SIGKILLed under its clients while a publisher runs: broadcast sockets and SSE readers on
 * node 3 reconnect to node 2 with their cursor ({@code since=<epoch>:<offset>}, {@code Last-Event-ID})
 * and together with what they received before the kill see every event from their first one to the
 * last published exactly once, in order.
 */
class NodeKillProcessTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(3, () -> REDIS.url(0), PG);

    private static final String ORG = "org_live";
    private static final String CHANNEL = "pub:live";
    /**
     * Events each client must see before the kill and again after its reconnect, so both halves are
     * exercised; kept small so the test stays short.
     */
    private static final int TICKS_EACH_SIDE = 15;

    /** Events of each kind published after the clients lost node 3 and before they reconnect. */
    private static final int MISSED = 5;

    private final List<ScheduledExecutorService> publishers = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        publishers.forEach(ScheduledExecutorService::shutdownNow);
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /**
     * A broadcast client that resumes like the SDKs: it keeps the epoch of its {@code position} frame
     * and the offset of the last event frame, across however many sockets it goes through.
     */
    final class Resumable {
        final String user;
        final List<Long> offsets = new ArrayList<>();
        final List<Integer> ticks = new ArrayList<>();
        final List<String> notices = new ArrayList<>();
        String epoch;
        HeraldProcesses.Socket socket;

        Resumable(String user) {
            this.user = user;
        }

        /** A fresh socket with {@code resume=1}: its first frame is the scope's position. */
        void connect(HeraldProcesses.Node node) {
            socket = node.open("/broadcast/v1/websocket?ws_ticket=" + ticket(node) + "&resume=1");
            open.add(socket);
            socket.awaitPong();
            JsonNode first = TestServer.json(firstFrame("a position frame on a resume=1 socket"));
            assertThat(first.path("type").asText()).as("first frame of a resume=1 socket: %s", first).isEqualTo("position");
            epoch = first.get("epoch").asText();
        }

        /** A socket on {@code node} resuming after the last event frame: it must recover what it missed. */
        void resume(HeraldProcesses.Node node) {
            assertThat(offsets).as("%s saw events before the kill", user).isNotEmpty();
            String since = URLEncoder.encode(epoch + ":" + offsets.get(offsets.size() - 1), StandardCharsets.UTF_8);
            socket = node.open("/broadcast/v1/websocket?ws_ticket=" + ticket(node) + "&resume=1&since=" + since);
            open.add(socket);
            socket.awaitPong();
            JsonNode first = TestServer.json(firstFrame("a resumed frame on a socket with since=" + since));
            notices.add(first.toString());
            assertThat(first.path("type").asText()).as("first frame after since=%s: %s", since, first).isEqualTo("resumed");
            assertThat(first.path("recovered").asBoolean()).as("recovered from history: %s", first).isTrue();
            assertThat(first.path("missed").asInt()).as("events published while %s was away: %s", user, first)
                    .isGreaterThanOrEqualTo(MISSED);
        }

        private String firstFrame(String what) {
            String m = socket.pollText(Duration.ofSeconds(10));
            assertThat(m).as("%s within 10 s", what).isNotNull();
            return m;
        }

        private String ticket(HeraldProcesses.Node node) {
            // a ticket is good on any node; each socket needs a fresh one
            return node.ticket(TestServer.jwt(user, ORG, "owner"));
        }

        /** Moves the frames waiting in the socket into the lists. */
        void drain() {
            for (String m = socket.pollText(Duration.ZERO); m != null; m = socket.pollText(Duration.ZERO)) {
                JsonNode n = TestServer.json(m);
                if (!n.has("offset") || !n.has("event")) {
                    notices.add(m);
                    continue;
                }
                offsets.add(n.get("offset").asLong());
                if ("tick".equals(n.get("event").asText())) {
                    ticks.add(n.get("payload").get("seq").asInt());
                }
            }
        }
    }

    /** An SSE reader that reconnects like {@code EventSource}: with {@code Last-Event-ID} = the last id it received. */
    static final class ResumableSse {
        final List<SseStream.Event> events = new ArrayList<>();
        SseStream stream;
        private int consumed;

        void connect(HeraldProcesses.Node node, String lastEventId) {
            stream = node.sse("/sse/" + CHANNEL, lastEventId);
            consumed = 0;
        }

        void drain() {
            List<SseStream.Event> all = stream.events;
            while (consumed < all.size()) {
                events.add(all.get(consumed++));
            }
        }

        String lastId() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).id() != null) {
                    return events.get(i).id();
                }
            }
            return null;
        }

        List<Integer> ticks() {
            return events.stream().filter(e -> e.event().equals("tick"))
                    .map(e -> TestServer.json(e.data()).get("seq").asInt()).toList();
        }
    }

    /** Publishes {@code body(seq)} to {@code path} on {@code node} 50 times a second, one at a time; records failures. */
    private AtomicInteger publish(HeraldProcesses.Node node, String path, java.util.function.IntFunction<String> body,
                                  List<String> failures) {
        AtomicInteger seq = new AtomicInteger();
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "publisher " + path);
            t.setDaemon(true);
            return t;
        });
        publishers.add(s);
        s.scheduleAtFixedRate(() -> {
            // the number is taken only for a publish that succeeded, so the published ticks are 1..seq without holes
            int n = seq.get() + 1;
            try {
                HttpResponse<String> r = node.publish(path, body.apply(n));
                if (r.statusCode() == 200) {
                    seq.set(n);
                } else {
                    failures.add(path + " tick " + n + ": " + r.statusCode() + " " + r.body());
                }
            } catch (RuntimeException e) {
                // recorded, not thrown: a throwing task would silently end the fixed-rate schedule
                failures.add(path + " tick " + n + ": " + e);
            }
        }, 0, 20, TimeUnit.MILLISECONDS);
        return seq;
    }

    @Test
    void clientsOfAKilledNodeResumeOnAnotherAndMissNothingAndGetNothingTwice() {
        HeraldProcesses.Node n1 = NODES.node(0);
        HeraldProcesses.Node n2 = NODES.node(1);
        HeraldProcesses.Node n3 = NODES.node(2);
        List<Resumable> sockets = List.of(new Resumable("u_1"), new Resumable("u_2"), new Resumable("u_3"));
        List<ResumableSse> readers = List.of(new ResumableSse(), new ResumableSse());
        sockets.forEach(s -> s.connect(n3));
        readers.forEach(r -> r.connect(n3, null));
        readers.forEach(r -> open.add(r.stream));
        n1.probeUntilDelivered(ORG, sockets.size());
        n1.probeChannelUntilDelivered(CHANNEL, readers.size());

        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicInteger broadcasts = publish(n1, "/broadcast/v1/broadcast",
                n -> "{\"event\":\"tick\",\"payload\":{\"seq\":" + n + "},\"organizationId\":\"" + ORG + "\"}", failures);
        AtomicInteger events = publish(n1, "/channels/v1/publish",
                n -> "{\"channel\":\"" + CHANNEL + "\",\"event\":\"tick\",\"data\":{\"seq\":" + n + "}}", failures);
        Runnable drain = () -> {
            sockets.forEach(Resumable::drain);
            readers.forEach(ResumableSse::drain);
        };
        waiting().until(() -> {
            drain.run();
            return sockets.stream().allMatch(s -> s.ticks.size() >= TICKS_EACH_SIDE)
                    && readers.stream().allMatch(r -> r.ticks().size() >= TICKS_EACH_SIDE);
        });

        long killed = System.nanoTime();
        NODES.kill(2);

        // the kernel reset the dead node's connections: every client sees its end, then keeps what it had received
        waiting().until(() -> sockets.stream().allMatch(s -> s.socket.isClosed()) && readers.stream().allMatch(r -> r.stream.ended()));
        drain.run();
        List<Integer> ticksAtKill = new ArrayList<>();
        sockets.forEach(s -> ticksAtKill.add(s.ticks.size()));
        readers.forEach(r -> ticksAtKill.add(r.ticks().size()));
        // the clients stay away until more was published, so their resume has something to replay
        int broadcastsAtKill = broadcasts.get();
        int eventsAtKill = events.get();
        waiting().until(() -> broadcasts.get() >= broadcastsAtKill + MISSED && events.get() >= eventsAtKill + MISSED);
        sockets.forEach(s -> s.resume(n2));
        readers.forEach(r -> {
            r.connect(n2, r.lastId());
            open.add(r.stream);
        });
        long resumed = System.nanoTime();
        waiting().until(() -> {
            drain.run();
            for (int i = 0; i < sockets.size(); i++) {
                if (sockets.get(i).ticks.size() < ticksAtKill.get(i) + TICKS_EACH_SIDE) {
                    return false;
                }
            }
            for (int i = 0; i < readers.size(); i++) {
                if (readers.get(i).ticks().size() < ticksAtKill.get(sockets.size() + i) + TICKS_EACH_SIDE) {
                    return false;
                }
            }
            return true;
        });

        publishers.forEach(ScheduledExecutorService::shutdown);
        waiting().until(() -> publishers.stream().allMatch(ScheduledExecutorService::isTerminated));
        int lastBroadcast = broadcasts.get();
        int lastEvent = events.get();
        waiting().untilAsserted(() -> {
            drain.run();
            sockets.forEach(s -> assertThat(s.ticks).as("%s's ticks", s.user).contains(lastBroadcast));
            readers.forEach(r -> assertThat(r.ticks()).as("an SSE reader's ticks").contains(lastEvent));
        });
        System.out.printf("Node 3 SIGKILLed: clients resumed on node 2 %d ms after the kill; %d broadcasts and %d channel events published;"
                        + " resume answers %s%n", Duration.ofNanos(resumed - killed).toMillis(), lastBroadcast, lastEvent,
                sockets.stream().map(s -> s.notices).toList());

        assertThat(failures).as("publishes that did not answer 200").isEmpty();
        for (Resumable s : sockets) {
            int first = s.ticks.get(0);
            assertThat(s.ticks).as("%s: every tick from its first to the last published, once, in order", s.user)
                    .isEqualTo(IntStream.rangeClosed(first, lastBroadcast).boxed().toList());
            long firstOffset = s.offsets.get(0);
            assertThat(s.offsets).as("%s: every offset from its first on, once, in order", s.user)
                    .isEqualTo(java.util.stream.LongStream.range(firstOffset, firstOffset + s.offsets.size()).boxed().toList());
        }
        for (ResumableSse r : readers) {
            assertThat(r.events).as("no realtime.reset: node 2 resumed the stream from Redis")
                    .noneMatch(e -> e.event().equals("realtime.reset"));
            int first = r.ticks().get(0);
            assertThat(r.ticks()).as("an SSE reader: every tick from its first to the last published, once, in order")
                    .isEqualTo(IntStream.rangeClosed(first, lastEvent).boxed().toList());
            List<Long> ids = r.events.stream().map(e -> Long.parseLong(e.id())).toList();
            assertThat(ids).as("an SSE reader: ids without holes or repeats")
                    .isEqualTo(java.util.stream.LongStream.range(ids.get(0), ids.get(0) + ids.size()).boxed().toList());
        }
    }
}
