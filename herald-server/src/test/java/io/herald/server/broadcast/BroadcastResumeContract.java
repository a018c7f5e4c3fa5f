package io.herald.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Broadcast resume as a client sees it, on whatever broker the subclass runs: one node on the in-memory
 * broker, or two nodes on Redis with the sockets on the node that does not publish. The scopes' history
 * holds {@link #HISTORY} events.
 */
public abstract class BroadcastResumeContract {
    static final int HISTORY = 200;

    /** {@code config} with this contract's history size. */
    protected static io.herald.config.HeraldConfig withHistory(io.herald.config.HeraldConfig config) {
        return config.withBroadcast(config.broadcast().withHistory(new io.herald.config.BroadcastConfig.History(HISTORY, 300L)));
    }
    private static final AtomicInteger ORGS = new AtomicInteger();

    /** Where events are published. */
    protected abstract TestServer publisher();

    /** Where the sockets connect. */
    protected abstract TestServer sockets();

    @AfterEach
    void closeSockets() {
        publisher().closeClients();
        sockets().closeClients();
    }

    protected static String newOrg() {
        return "org_r" + ORGS.incrementAndGet() + "_" + System.nanoTime();
    }

    /** A socket of {@code userId}; a resumable one's first frame (position or resumed) proves it is subscribed. */
    private WsClient open(String userId, String org, String query, String... roles) {
        String ticket = sockets().ticket(TestServer.jwt(userId, org, roles));
        String path = "/broadcast/v1/websocket?ws_ticket=" + ticket + query;
        return query.isEmpty() ? sockets().open(path) : sockets().openSilently(path);
    }

    private void broadcast(String org, int i) {
        HttpResponse<String> r = publisher().publish("/broadcast/v1/broadcast",
                "{\"event\":\"tick\",\"payload\":{\"i\":" + i + "},\"organizationId\":\"" + org + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private void change(String org, String id, String ssn) {
        HttpResponse<String> r = publisher().publish("/broadcast/v1/changes", "{\"table\":\"applications\",\"eventType\":\"INSERT\","
                + "\"new\":{\"id\":\"" + id + "\",\"ssn\":\"" + ssn + "\",\"email\":\"jane@acme.com\"},\"organizationId\":\"" + org + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** Publishes a tick until {@code socket} receives one (a subscription on another node takes effect asynchronously). */
    private JsonNode firstLive(WsClient socket, String org) {
        AtomicInteger i = new AtomicInteger(1000);
        JsonNode[] got = new JsonNode[1];
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100)).atMost(Duration.ofSeconds(30)).until(() -> {
            broadcast(org, i.incrementAndGet());
            String next = socket.poll(Duration.ofMillis(200));
            got[0] = next == null ? null : TestServer.json(next);
            return got[0] != null;
        });
        return got[0];
    }

    private static ObjectNode withoutOffset(JsonNode frame) {
        ObjectNode copy = frame.deepCopy();
        copy.remove("offset");
        return copy;
    }

    @Test
    void resumeGivesThePositionFirstThenTheOffsetOnEveryEventAsTheLastFieldOfTheSameFrame() {
        String org = newOrg();
        broadcast(org, 1);
        broadcast(org, 2);
        WsClient plain = open("u_p", org, "", "owner");
        WsClient resumable = open("u_r", org, "&resume=1", "owner");

        JsonNode position = resumable.nextJson();
        assertThat(position.get("type").asText()).isEqualTo("position");
        assertThat(position.get("offset").asLong()).isEqualTo(2);
        assertThat(position.get("epoch").asText()).isNotEmpty();

        JsonNode live = firstLive(resumable, org);
        String plainFrame = plain.next();
        while (!TestServer.json(plainFrame).get("payload").equals(live.get("payload"))) {
            plainFrame = plain.next();
        }
        assertThat(plainFrame).doesNotContain("offset");
        assertThat(live.get("offset").asLong()).isGreaterThan(2);
        String expected = plainFrame.substring(0, plainFrame.length() - 1) + ",\"offset\":" + live.get("offset").asLong() + "}";
        assertThat(live.toString()).isEqualTo(TestServer.json(expected).toString());
    }

    @Test
    void aCursorGetsExactlyTheEventsItMissedFilteredAndMaskedForItsRolesThenLiveOnes() {
        String org = newOrg();
        WsClient first = open("u_rec", org, "&resume=1", "recruiter");
        JsonNode position = first.nextJson();
        String epoch = position.get("epoch").asText();
        long from = position.get("offset").asLong();
        first.close();

        change(org, "app_1", "123-45-6789");
        publisher().publish("/broadcast/v1/broadcast", "{\"event\":\"private\",\"payload\":1,\"organizationId\":\"" + org + "\",\"userId\":\"someone_else\"}");
        publisher().publish("/broadcast/v1/broadcast", "{\"event\":\"mine\",\"payload\":2,\"organizationId\":\"" + org + "\",\"userId\":\"u_rec\"}");
        publisher().publish("/broadcast/v1/broadcast", "{\"event\":\"owners\",\"payload\":3,\"organizationId\":\"" + org + "\",\"targetRoles\":[\"owner\"]}");
        broadcast(org, 5);

        WsClient again = open("u_rec", org, "&since=" + epoch + ":" + from, "recruiter");
        JsonNode resumed = again.nextJson();
        assertThat(resumed.toString()).isEqualTo("{\"type\":\"resumed\",\"recovered\":true,\"missed\":3}");
        JsonNode masked = again.nextJson();
        assertThat(masked.get("type").asText()).isEqualTo("postgres_changes");
        assertThat(masked.get("new").get("ssn").asText()).isEqualTo("*****6789");
        assertThat(masked.get("offset").asLong()).isEqualTo(from + 1);
        JsonNode mine = again.nextJson();
        assertThat(mine.get("event").asText()).isEqualTo("mine");
        assertThat(mine.get("offset").asLong()).isEqualTo(from + 3);
        JsonNode tick = again.nextJson();
        assertThat(tick.get("payload").get("i").asInt()).isEqualTo(5);
        assertThat(tick.get("offset").asLong()).isEqualTo(from + 5);

        JsonNode live = firstLive(again, org);
        assertThat(live.get("offset").asLong()).isEqualTo(from + 6);
    }

    @Test
    void anUpToDateCursorRecoversNothingMissed() {
        String org = newOrg();
        broadcast(org, 1);
        WsClient first = open("u_1", org, "&resume=1", "owner");
        JsonNode position = first.nextJson();
        WsClient again = open("u_1", org, "&since=" + position.get("epoch").asText() + ":" + position.get("offset").asLong(), "owner");
        assertThat(again.next()).isEqualTo("{\"type\":\"resumed\",\"recovered\":true,\"missed\":0}");
    }

    @Test
    void aCursorOfAnotherEpochOrOlderThanTheHistoryIsNotRecoveredAndGetsTheCurrentPosition() {
        String org = newOrg();
        broadcast(org, 1);
        WsClient first = open("u_1", org, "&resume=1", "owner");
        JsonNode position = first.nextJson();
        String epoch = position.get("epoch").asText();

        WsClient otherEpoch = open("u_1", org, "&since=zz" + epoch + ":1", "owner");
        assertThat(otherEpoch.next()).isEqualTo("{\"type\":\"resumed\",\"recovered\":false}");
        JsonNode now = otherEpoch.nextJson();
        assertThat(now.get("type").asText()).isEqualTo("position");
        assertThat(now.get("epoch").asText()).isEqualTo(epoch);
        assertThat(now.get("offset").asLong()).isEqualTo(1);

        for (int i = 0; i < HISTORY + 10; i++) {
            broadcast(org, i);
        }
        WsClient tooOld = open("u_1", org, "&since=" + epoch + ":1", "owner");
        assertThat(tooOld.next()).isEqualTo("{\"type\":\"resumed\",\"recovered\":false}");
        assertThat(tooOld.nextJson().get("offset").asLong()).isEqualTo(HISTORY + 11);

        WsClient future = open("u_1", org, "&since=" + epoch + ":999999", "owner");
        assertThat(future.next()).isEqualTo("{\"type\":\"resumed\",\"recovered\":false}");
    }

    @Test
    void aMalformedCursorIsRefusedWith400BeforeTheTicketIsSpent() {
        String org = newOrg();
        String ticket = sockets().ticket(TestServer.jwt("u_1", org, "owner"));
        for (String bad : List.of("since=abc", "since=:1", "since=e:-1", "since=e:1:2", "since=e%20x:1", "since=e:99999999999999999999", "resume=yes")) {
            assertThat(sockets().refusedUpgrade("/broadcast/v1/websocket?ws_ticket=" + ticket + "&" + bad).getResponse().statusCode())
                    .as(bad).isEqualTo(400);
        }
        assertThat(sockets().openSilently("/broadcast/v1/websocket?ws_ticket=" + ticket + "&resume=1").nextJson().get("type").asText())
                .isEqualTo("position");
    }

    @Test
    void aSocketResumingUnderAPublisherSeesEveryOffsetOnceInOrder() throws Exception {
        String org = newOrg();
        broadcast(org, 0);
        WsClient first = open("u_1", org, "&resume=1", "owner");
        JsonNode position = first.nextJson();
        String epoch = position.get("epoch").asText();
        long from = position.get("offset").asLong();
        first.close();
        int total = 120;
        CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= total; i++) {
                broadcast(org, i);
            }
        });
        // resume while the publisher is mid-way: the history read races with live events
        await().atMost(Duration.ofSeconds(30)).until(() -> publishing.isDone() || publishedAtLeast(org, total / 3, epoch));
        WsClient resumed = open("u_1", org, "&since=" + epoch + ":" + from, "owner");
        publishing.get(60, TimeUnit.SECONDS);
        assertThat(resumed.nextJson().get("recovered").asBoolean()).isTrue();
        List<Integer> ticks = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        while (ticks.isEmpty() || ticks.get(ticks.size() - 1) < total) {
            JsonNode m = resumed.nextJson();
            ticks.add(m.get("payload").get("i").asInt());
            offsets.add(m.get("offset").asLong());
        }
        assertThat(ticks).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, total).boxed().toList());
        assertThat(offsets).containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(from + 1, from + total).boxed().toList());
    }

    /** Whether the scope's stream has passed {@code count} publications, as a fresh resumable socket's position says. */
    private boolean publishedAtLeast(String org, int count, String epoch) {
        try (WsClient probe = open("u_probe", org, "&resume=1", "owner")) {
            JsonNode p = probe.nextJson();
            return p.get("epoch").asText().equals(epoch) && p.get("offset").asLong() >= count;
        }
    }
}
