package io.herald.server.cluster;

import static io.herald.server.cluster.ClusterNode.waiting;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.postgres.PgProcesses;
import io.herald.redis.RedisProcesses;
import io.herald.server.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Herald node processes while their Redis fails under them: Redis dropping every pub/sub client
 * ({@code CLIENT KILL TYPE pubsub}) and Redis killed and restarted while a publisher runs. The nodes
 * resubscribe by themselves, publishes answer 503 {@code broker_unavailable} while Redis is away, no
 * publish answer claims a delivery that did not happen, resumable clients recover from the history
 * what their node missed, and SSE readers are sent {@code realtime.reset} when Redis lost it.
 */
class RedisFailureProcessTest {
    @RegisterExtension
    @Order(1)
    static final RedisProcesses REDIS = RedisProcesses.standalone();

    @RegisterExtension
    @Order(2)
    static final PgProcesses PG = PgProcesses.create();

    @RegisterExtension
    @Order(3)
    static final HeraldProcesses NODES = HeraldProcesses.nodes(2, () -> REDIS.url(0), PG);

    /** Generous: the nodes retry after 50 to 100 ms; a loaded two-core machine may stall a JVM for seconds. */
    private static final Duration RESUBSCRIBED_WITHIN = Duration.ofSeconds(5);

    /** A reset is sent when the node resubscribes, before the events that follow: no reason to wait long. */
    private static final Duration RESET_WITHIN = Duration.ofSeconds(10);

    private final List<AutoCloseable> open = new ArrayList<>();
    private ScheduledExecutorService publisher;

    @BeforeEach
    void nodesReady() {
        // the other test may have left Redis just restarted
        waiting().untilAsserted(() -> {
            assertThat(NODES.node(0).get("/readyz").statusCode()).isEqualTo(200);
            assertThat(NODES.node(1).get("/readyz").statusCode()).isEqualTo(200);
        });
        publisher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "publisher");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void closeAll() throws Exception {
        publisher.shutdownNow();
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** One publish of a numbered {@code tick}: when it was sent and answered, and its answer (status -1 for none: timeout or I/O error). */
    record Answer(int seq, long sentNanos, long doneNanos, int status, JsonNode body) {
        boolean full(int sockets) {
            return status == 200 && body.get("delivered").asInt() == sockets && !body.path("partial").asBoolean();
        }
    }

    /** The {@code tick} sequence numbers each socket received, in order, and the offsets of a resumable socket's events. */
    static final class Ticks {
        final Map<HeraldProcesses.Socket, List<Integer>> bySocket = new HashMap<>();
        final Map<HeraldProcesses.Socket, List<Long>> offsets = new HashMap<>();

        Ticks(List<HeraldProcesses.Socket> sockets) {
            sockets.forEach(s -> {
                bySocket.put(s, new ArrayList<>());
                offsets.put(s, new ArrayList<>());
            });
        }

        /** Moves every frame waiting in the sockets into the lists. */
        void drain() {
            bySocket.forEach((socket, seqs) -> {
                for (String m = socket.pollText(Duration.ZERO); m != null; m = socket.pollText(Duration.ZERO)) {
                    JsonNode n = TestServer.json(m);
                    if (n.has("offset") && n.has("event")) {
                        offsets.get(socket).add(n.get("offset").asLong());
                    }
                    if ("tick".equals(n.path("event").asText())) {
                        seqs.add(n.get("payload").get("seq").asInt());
                    }
                }
            });
        }

        /** How many sockets received tick {@code seq}. */
        int receivers(int seq) {
            return (int) bySocket.values().stream().filter(l -> l.contains(seq)).count();
        }
    }

    private static String tick(String org, int seq) {
        return "{\"event\":\"tick\",\"payload\":{\"seq\":" + seq + "},\"organizationId\":\"" + org + "\"}";
    }

    /** A broadcast socket opened with {@code resume=1}, its position frame read. */
    private static HeraldProcesses.Socket resumable(HeraldProcesses.Node node, String user, String org) {
        HeraldProcesses.Socket s = node.open("/broadcast/v1/websocket?resume=1&ws_ticket=" + node.ticket(TestServer.jwt(user, org, "owner")));
        s.awaitPong();
        assertThat(TestServer.json(s.pollText(Duration.ofSeconds(10))).path("type").asText()).isEqualTo("position");
        return s;
    }

    private SseStream sseUntilDelivered(HeraldProcesses.Node on, String channel) {
        SseStream sse = on.sse("/sse/" + channel, null);
        open.add(sse);
        NODES.node(0).probeChannelUntilDelivered(channel, 1);
        return sse;
    }

    /**
     * Every answer is 200 or 503 {@code broker_unavailable}, and no 200 claims more deliveries than the
     * sockets saw: an event that missed a socket is always visible in its answer ({@code partial} or a
     * lower {@code delivered}), never a silent loss.
     */
    private static void assertNoAnswerOverstates(List<Answer> answers, Ticks ticks) {
        for (Answer a : answers) {
            assertThat(a.status()).as("answer to tick %d: %s", a.seq(), a.body()).isIn(200, 503);
            if (a.status() == 503) {
                assertThat(a.body().get("error").asText()).isEqualTo("broker_unavailable");
            } else {
                assertThat(ticks.receivers(a.seq())).as("sockets that received tick %d answered %s", a.seq(), a.body())
                        .isGreaterThanOrEqualTo(a.body().get("delivered").asInt());
            }
        }
    }

    @Test
    void afterRedisDropsEveryPubSubClientBothNodesResubscribeAndEveryClientRecoversWhatItMissed() {
        HeraldProcesses.Node n1 = NODES.node(0);
        HeraldProcesses.Node n2 = NODES.node(1);
        HeraldProcesses.Socket s1 = n1.member("u_k1", "org_kill", "owner");
        HeraldProcesses.Socket s2 = n2.member("u_k2", "org_kill", "owner");
        // resumable sockets recover what their node missed from the scope's history once it resubscribed
        HeraldProcesses.Socket r1 = resumable(n1, "u_k3", "org_kill");
        HeraldProcesses.Socket r2 = resumable(n2, "u_k4", "org_kill");
        open.addAll(List.of(s1, s2, r1, r2));
        int sockets = 4;
        n1.probeUntilDelivered("org_kill", sockets);
        SseStream sse = sseUntilDelivered(n2, "pub:kill");
        Ticks ticks = new Ticks(List.of(s1, s2, r1, r2));
        List<Answer> answers = new CopyOnWriteArrayList<>();
        List<Answer> channelAnswers = new CopyOnWriteArrayList<>();
        AtomicInteger seq = new AtomicInteger();

        long killed = System.nanoTime();
        assertThat(REDIS.killPubSubClients(0)).as("pub/sub connections closed, at least one per node").isGreaterThanOrEqualTo(2);
        // a publish every 20 ms without waiting for answers: the first that reaches both sockets bounds the resubscribe time
        publisher.scheduleAtFixedRate(() -> {
            int n = seq.incrementAndGet();
            long sent = System.nanoTime();
            n1.publishAsync("/channels/v1/publish", "{\"channel\":\"pub:kill\",\"event\":\"tick\",\"data\":{\"seq\":" + n + "}}")
                    .whenComplete((r, e) -> channelAnswers.add(new Answer(n, sent, System.nanoTime(), r == null ? -1 : r.statusCode(),
                            TestServer.json(r == null ? "{}" : r.body()))));
            n1.publishAsync("/broadcast/v1/broadcast", tick("org_kill", n)).whenComplete((r, e) ->
                    answers.add(new Answer(n, sent, System.nanoTime(), r == null ? -1 : r.statusCode(),
                            TestServer.json(r == null ? "{\"exception\":\"" + e.getClass().getSimpleName() + "\"}" : r.body()))));
        }, 0, 20, TimeUnit.MILLISECONDS);
        long[] back = new long[1];
        waiting().pollInterval(Duration.ofMillis(10)).until(() -> {
            ticks.drain();
            for (Answer a : answers) {
                if (a.full(sockets) && ticks.receivers(a.seq()) == sockets) {
                    back[0] = System.nanoTime();
                    return true;
                }
            }
            return false;
        });
        publisher.shutdown();
        Answer first = answers.stream().filter(a -> a.full(sockets) && ticks.receivers(a.seq()) == sockets)
                .min(java.util.Comparator.comparingLong(Answer::sentNanos)).orElseThrow();
        Duration firstSent = Duration.ofNanos(first.sentNanos() - killed);
        Duration received = Duration.ofNanos(back[0] - killed);
        System.out.printf("CLIENT KILL TYPE pubsub: the first publish delivered live to all %d sockets on both nodes was sent %d ms"
                + " after the kill; every socket had it %d ms after the kill%n", sockets, firstSent.toMillis(), received.toMillis());
        assertThat(firstSent).as("resubscribed after CLIENT KILL").isLessThanOrEqualTo(RESUBSCRIBED_WITHIN);
        waiting().untilAsserted(() -> assertThat(n1.get("/readyz").statusCode()).isEqualTo(200));
        waiting().untilAsserted(() -> assertThat(n2.get("/readyz").statusCode()).isEqualTo(200));
        waiting().until(() -> publisher.isTerminated());
        waiting().until(() -> answers.size() == seq.get() && channelAnswers.size() == seq.get());
        ticks.drain();
        assertNoAnswerOverstates(answers, ticks);
        System.out.printf("CLIENT KILL TYPE pubsub: %d publishes, %d answered partial or short, %d answered 503%n", answers.size(),
                answers.stream().filter(a -> a.status() == 200 && !a.full(sockets)).count(), answers.stream().filter(a -> a.status() == 503).count());
        List<Integer> answered = answers.stream().filter(a -> a.status() == 200).map(Answer::seq).toList();
        for (HeraldProcesses.Socket r : List.of(r1, r2)) {
            waiting().untilAsserted(() -> {
                ticks.drain();
                assertThat(ticks.bySocket.get(r)).as("a resumable socket has every tick answered 200").containsAll(answered);
            });
            assertThat(ticks.bySocket.get(r)).as("a resumable socket's ticks, each once").doesNotHaveDuplicates();
            List<Long> offsets = ticks.offsets.get(r);
            assertThat(offsets).as("a resumable socket's offsets: without holes or repeats, in order")
                    .isEqualTo(java.util.stream.LongStream.range(offsets.get(0), offsets.get(0) + offsets.size()).boxed().toList());
        }

        // the SSE reader's node lost its pub/sub connection; the channel's history still holds what it missed,
        // so it recovers every event answered 200, each once, instead of being reset
        List<Integer> channelAnswered = channelAnswers.stream().filter(a -> a.status() == 200).map(Answer::seq).toList();
        assertThat(channelAnswers).as("channel publishes answer 200 or 503 broker_unavailable")
                .allSatisfy(a -> assertThat(a.status()).as("%s", a.body()).isIn(200, 503));
        waiting().untilAsserted(() -> assertThat(sse.named("tick").stream().map(e -> TestServer.json(e.data()).get("seq").asInt()).toList())
                .as("SSE ticks").containsAll(channelAnswered).doesNotHaveDuplicates());
        assertThat(sse.named("realtime.reset")).as("no reset: the history held the gap").isEmpty();
        List<Long> ids = sse.events.stream().map(e -> Long.parseLong(e.id())).toList();
        assertThat(ids).as("SSE ids without holes or repeats, in order")
                .isEqualTo(java.util.stream.LongStream.range(ids.get(0), ids.get(0) + ids.size()).boxed().toList());
    }

    @Test
    void whileRedisIsDownPublishesAnswer503AndAfterItCameBackEverySocketReceivesAndSseReadersAreReset() {
        HeraldProcesses.Node n1 = NODES.node(0);
        HeraldProcesses.Node n2 = NODES.node(1);
        HeraldProcesses.Socket s1 = n1.member("u_r1", "org_restart", "owner");
        HeraldProcesses.Socket s2 = n2.member("u_r2", "org_restart", "owner");
        open.addAll(List.of(s1, s2));
        n1.probeUntilDelivered("org_restart", 2);
        SseStream sse = sseUntilDelivered(n2, "pub:restart");
        Ticks ticks = new Ticks(List.of(s1, s2));
        List<Answer> answers = new CopyOnWriteArrayList<>();
        AtomicInteger seq = new AtomicInteger();
        // one publish at a time, 20 a second: each answer is known before the next publish goes out
        publisher.scheduleAtFixedRate(() -> {
            int n = seq.incrementAndGet();
            long sent = System.nanoTime();
            try {
                HttpResponse<String> r = n1.publish("/broadcast/v1/broadcast", tick("org_restart", n));
                answers.add(new Answer(n, sent, System.nanoTime(), r.statusCode(), TestServer.json(r.body())));
            } catch (RuntimeException | AssertionError e) {
                // recorded, not thrown: a throwing task would silently end the fixed-rate schedule
                answers.add(new Answer(n, sent, System.nanoTime(), -1, TestServer.json("{\"exception\":\"" + e.getClass().getSimpleName() + "\"}")));
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        waiting().until(() -> answers.stream().filter(a -> a.full(2)).count() >= 5);

        REDIS.kill(0);
        long dead = System.nanoTime();

        waiting().untilAsserted(() -> {
            for (HeraldProcesses.Node n : List.of(n1, n2)) {
                HttpResponse<String> ready = n.get("/readyz");
                assertThat(ready.statusCode()).as("/readyz of %s while Redis is down", n.id()).isEqualTo(503);
                assertThat(TestServer.json(ready.body()).get("error").asText()).isEqualTo("broker_unavailable");
            }
        });
        // publishes sent once Redis had gone: every one answers 503
        waiting().until(() -> answers.stream().filter(a -> a.sentNanos() > dead).count() >= 5);
        int lastDuringOutage = seq.get();
        HttpResponse<String> channel = n1.publish("/channels/v1/publish", "{\"channel\":\"pub:restart\",\"event\":\"lost\",\"data\":null}");
        assertThat(channel.statusCode()).isEqualTo(503);
        assertThat(s1.isClosed() || s2.isClosed()).as("sockets stay open while Redis is down").isFalse();

        long restarting = System.nanoTime();
        REDIS.restart(0);

        waiting().untilAsserted(() -> {
            assertThat(n1.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(n2.get("/readyz").statusCode()).isEqualTo(200);
        });
        // nodes re-add themselves to the topic with their resubscribe: wait for the ticks to reach both again
        waiting().until(() -> answers.stream().filter(a -> a.seq() > lastDuringOutage && a.full(2)).count() >= 5);
        publisher.shutdown();
        waiting().until(() -> publisher.isTerminated());
        int last = seq.get();
        waiting().untilAsserted(() -> {
            ticks.drain();
            assertThat(ticks.receivers(last)).as("both sockets received the last tick").isEqualTo(2);
        });

        // sent and answered while Redis was gone; one sent just before the restart may be answered 200 after it, rightly
        List<Answer> outage = answers.stream().filter(a -> a.sentNanos() > dead && a.doneNanos() < restarting).toList();
        assertThat(outage).as("publishes sent while Redis was down").isNotEmpty()
                .allSatisfy(a -> assertThat(a.status()).as("answer %s", a.body()).isEqualTo(503));
        assertNoAnswerOverstates(answers, ticks);
        System.out.printf("Redis killed and restarted: %d publishes, %d delivered to both sockets, %d answered 503, %d other 200s%n",
                answers.size(), answers.stream().filter(a -> a.full(2)).count(),
                answers.stream().filter(a -> a.status() == 503).count(),
                answers.stream().filter(a -> a.status() == 200 && !a.full(2)).count());

        // channels flow again, and the reader on node 2 is told that it may have missed events meanwhile
        waiting().until(() -> {
            HttpResponse<String> r = n1.publish("/channels/v1/publish", "{\"channel\":\"pub:restart\",\"event\":\"back\",\"data\":null}");
            return r.statusCode() == 200 && TestServer.json(r.body()).get("delivered").asInt() == 1;
        });
        waiting().untilAsserted(() -> assertThat(sse.named("back")).isNotEmpty());
        waiting().atMost(RESET_WITHIN).untilAsserted(() -> assertThat(sse.named("realtime.reset"))
                .as("realtime.reset after the outage; events: %s", sse.events).isNotEmpty());
    }
}
