package io.herald.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lane publishes from the client to real lane sockets that receive the envelope and ack it: the
 * answer carries the acks as JSON or as a type, and the server's base path is configurable.
 */
class LanePublishTest {
    private static final AtomicInteger USERS = new AtomicInteger();
    @TempDir
    static Path dir;
    private static TestServer server;
    private static HeraldClient client;

    /** What the test sockets answer in their acks. */
    record Seen(boolean seen, String by) {
    }

    @BeforeAll
    static void start() {
        server = ClientServers.start("", dir);
        client = ClientServers.client(server);
    }

    @AfterEach
    void closeSockets() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newUser() {
        return "lane_user_" + USERS.incrementAndGet();
    }

    /** A lane socket of {@code userId} at {@code base}, subscribed to {@code chat_message}, its {@code subscribed} reply read. */
    static WsClient laneSocket(TestServer server, String base, String userId) {
        WsClient socket = server.open((base.isEmpty() ? "/" : base + "/websocket") + "?token=" + TestServer.jwt(userId, "org_lanes", "member"));
        socket.send("{\"type\":\"subscribe\",\"filters\":[{\"type\":\"chat_message\"}]}");
        assertThat(socket.nextJson().get("type").asText()).isEqualTo("subscribed");
        return socket;
    }

    private static void ack(WsClient socket, String envelopeId, String resultJson) {
        socket.send("{\"type\":\"ack\",\"envelopeId\":\"" + envelopeId + "\"" + (resultJson == null ? "" : ",\"result\":" + resultJson) + "}");
    }

    @Test
    void theSocketsAckIsTheResultOfThePublish() throws Exception {
        String user = newUser();
        WsClient socket = laneSocket(server, "/lanes/v1", user);

        CompletableFuture<LaneResult<JsonNode>> published = client.publishToLaneAsync(
                LaneMessage.of(user, "chat_message", Map.of("questId", "q1", "text", "hi")));
        JsonNode envelope = socket.nextJson();
        ack(socket, envelope.get("envelopeId").asText(), "{\"seen\":true,\"by\":\"tab\"}");
        LaneResult<JsonNode> r = published.get(10, TimeUnit.SECONDS);

        assertThat(envelope.get("type").asText()).isEqualTo("chat_message");
        assertThat(envelope.get("userId").asText()).isEqualTo(user);
        assertThat(envelope.get("payload").get("text").asText()).isEqualTo("hi");
        assertThat(r.clientCount()).isEqualTo(1);
        assertThat(r.results()).hasSize(1);
        assertThat(r.results().get(0).get("seen").asBoolean()).isTrue();
        assertThat(r.unacknowledged()).isZero();
    }

    @Test
    void theAcksReadAsATypeInArrivalOrderAndAnAckWithoutResultIsNull() throws Exception {
        String user = newUser();
        WsClient first = laneSocket(server, "/lanes/v1", user);
        WsClient second = laneSocket(server, "/lanes/v1", user);

        CompletableFuture<LaneResult<Seen>> published = client.publishToLaneAsync(
                LaneMessage.of(user, "chat_message", null).withTimeout(Duration.ofSeconds(10)), Seen.class);
        String id = first.nextJson().get("envelopeId").asText();
        assertThat(second.nextJson().get("envelopeId").asText()).isEqualTo(id);
        ack(second, id, "{\"seen\":true,\"by\":\"second\"}");
        second.send("ping");
        assertThat(second.next()).as("the second ack was handled").isEqualTo("pong");
        ack(first, id, null);
        LaneResult<Seen> r = published.get(10, TimeUnit.SECONDS);

        assertThat(r.clientCount()).isEqualTo(2);
        assertThat(r.results()).containsExactly(new Seen(true, "second"), null);
        assertThatThrownBy(() -> r.results().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anAckWithoutResultIsANullNodeAsJson() throws Exception {
        String user = newUser();
        WsClient socket = laneSocket(server, "/lanes/v1", user);

        CompletableFuture<LaneResult<JsonNode>> published = client.publishToLaneAsync(LaneMessage.withoutPayload(user, "chat_message"));
        JsonNode envelope = socket.nextJson();
        ack(socket, envelope.get("envelopeId").asText(), null);

        assertThat(envelope.has("payload")).as("no payload key").isFalse();
        assertThat(published.get(10, TimeUnit.SECONDS).results()).containsExactly(NullNode.instance);
    }

    @Test
    void aResultThatDoesNotReadAsTheTypeIsAnInvalidResponse() throws Exception {
        String user = newUser();
        WsClient socket = laneSocket(server, "/lanes/v1", user);

        CompletableFuture<LaneResult<Seen>> published = client.publishToLaneAsync(LaneMessage.of(user, "chat_message", 1), Seen.class);
        ack(socket, socket.nextJson().get("envelopeId").asText(), "[\"not\",\"a\",\"Seen\"]");
        Throwable failure = published.handle((v, e) -> e).get(10, TimeUnit.SECONDS);

        assertThat(failure).isInstanceOfSatisfying(HeraldClientException.class, e -> {
            assertThat(e.kind()).isEqualTo(HeraldClientException.Kind.INVALID_RESPONSE);
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.getMessage()).contains("/lanes/v1/publish").contains("not a Seen");
        });
    }

    @Test
    void aSocketThatDoesNotAckInTimeLeavesNoResult() {
        String user = newUser();
        WsClient socket = laneSocket(server, "/lanes/v1", user);

        LaneResult<JsonNode> r = client.publishToLane(LaneMessage.of(user, "chat_message", "hello").withTimeout(Duration.ofMillis(300)));

        assertThat(socket.nextJson().get("payload").asText()).isEqualTo("hello");
        assertThat(r.clientCount()).isEqualTo(1);
        assertThat(r.results()).isEmpty();
        assertThat(r.unacknowledged()).isEqualTo(1);
    }

    @Test
    void aUserWithoutSocketsAnswersAtOnceWithZeroClients() {
        LaneResult<JsonNode> r = client.publishToLane(LaneMessage.of(newUser(), null, Map.of()).withTimeout(Duration.ofSeconds(30)));

        assertThat(r.clientCount()).isZero();
        assertThat(r.results()).isEmpty();
    }

    @Test
    void aServerWithTheHopeFlowBasePathTakesPublishesAtSlashPublish(@TempDir Path hopeflowDir) throws Exception {
        try (TestServer hopeflow = ClientServers.start("lanes: { basePath: \"\" }", hopeflowDir)) {
            HeraldClient atRoot = ClientServers.builder(hopeflow).lanesBasePath("").build();
            String user = newUser();
            WsClient socket = laneSocket(hopeflow, "", user);

            CompletableFuture<LaneResult<Seen>> published = atRoot.publishToLaneAsync(LaneMessage.of(user, "chat_message", 1), Seen.class);
            ack(socket, socket.nextJson().get("envelopeId").asText(), "{\"seen\":true,\"by\":\"root\"}");

            assertThat(published.get(10, TimeUnit.SECONDS).results()).containsExactly(new Seen(true, "root"));
            assertThatThrownBy(() -> ClientServers.client(hopeflow).publishToLane(LaneMessage.of(user, "chat_message", 1)))
                    .as("the default base path on this server")
                    .isInstanceOfSatisfying(HeraldClientException.class, e -> assertThat(e.status()).isEqualTo(404));
        }
    }
}
