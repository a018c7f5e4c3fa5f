package io.herald.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.HeraldConfig;
import io.herald.config.StorageConfig;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API on a real server over real sockets: the server credential on every route, 404 when the page
 * is off, the stream's snapshots, and the actions (publish, close a socket, unload a room, mint test credentials).
 */
class AdminApiTest {
    static final String YAML = """
            admin:
              enabled: true
            broadcast:
              tables:
                contacts:
                  fields: [id, email, note]
                  masking:
                    email: { type: email }
                applications:
                  requiredRoles: [owner]
            rooms:
              bindings:
                - { name: LOBBY, className: io.herald.room.builtin.PresenceRoom, access: public }
            """;
    private static final String BEARER = "Bearer " + TestServer.ACCESS_TOKEN;
    private static final String[] ROUTES = {
        "GET /admin/v1/snapshot", "GET /admin/v1/stream", "POST /admin/v1/publish", "POST /admin/v1/tokens",
        "POST /admin/v1/sockets/abc/close", "POST /admin/v1/rooms/lobby/r1/unload",
    };

    @TempDir
    static Path dir;
    /** In dev mode: the secrets were "generated", so test credentials may be minted. */
    private static TestServer dev;
    /** The admin page on, outside dev mode. */
    private static TestServer production;

    static HeraldConfig config(String yaml, Path storage) {
        return TestServer.config(yaml).withStorage(new StorageConfig(storage.toString(), null));
    }

    @BeforeAll
    static void start() {
        dev = TestServer.startInDevMode(config(YAML, dir.resolve("dev.db")));
        production = TestServer.start(config(YAML, dir.resolve("production.db")));
    }

    @AfterEach
    void closeClients() {
        dev.closeClients();
        production.closeClients();
    }

    @AfterAll
    static void stop() {
        dev.close();
        production.close();
    }

    private static HttpResponse<String> call(TestServer s, String route, String body, String... headers) {
        String[] parts = route.split(" ", 2);
        List<String> h = new ArrayList<>(List.of(headers));
        if (body != null) {
            h.add("Content-Type");
            h.add("application/json");
        }
        return s.send(parts[0], parts[1], body, h.toArray(String[]::new));
    }

    private static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as("%s", r.body()).isEqualTo(200);
        return TestServer.json(r.body());
    }

    private static JsonNode snapshot(TestServer s) {
        return ok(s.get("/admin/v1/snapshot", "Authorization", BEARER));
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (value.equals(n.path(field).asText(null))) {
                return n;
            }
        }
        return null;
    }

    @Test
    void everyAdminRouteAnswers401WithTheErrorTableWithoutOrWithAWrongToken() {
        for (String route : ROUTES) {
            HttpResponse<String> none = call(dev, route, null);
            assertThat(none.statusCode()).as(route).isEqualTo(401);
            assertThat(TestServer.json(none.body()).get("error").asText()).as(route).isEqualTo("unauthenticated");
            HttpResponse<String> wrong = call(dev, route, null, "Authorization", "Bearer not-the-access-token-0123456789abcdef");
            assertThat(wrong.statusCode()).as(route).isEqualTo(401);
            assertThat(TestServer.json(wrong.body()).get("error").asText()).as(route).isEqualTo("invalid_credentials");
        }
    }

    @Test
    void whenDisabledThePageAndTheApiAnswer404LikeAnUnknownRoute(@TempDir Path storage) {
        try (TestServer off = TestServer.startInDevMode(config(YAML.replace("enabled: true", "enabled: false"), storage.resolve("off.db")))) {
            HttpResponse<String> unknown = off.get("/no-such-route");
            for (String path : new String[] {"/admin/", "/admin/admin.js", "/admin/v1/snapshot", "/admin/v1/stream"}) {
                HttpResponse<String> r = off.get(path, "Authorization", BEARER);
                assertThat(r.statusCode()).as(path).isEqualTo(404);
                assertThat(r.body()).as(path).isEqualTo(unknown.body());
            }
            HttpResponse<String> publish = call(off, "POST /admin/v1/publish", "{}", "Authorization", BEARER);
            assertThat(publish.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void thePageIsServedFromTheJarWithAPolicyThatKeepsItToItsOrigin() {
        assertThat(dev.get("/admin").headers().firstValue("Location")).contains("/admin/");
        HttpResponse<String> page = dev.get("/admin/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'", "frame-ancestors 'none'");
        assertThat(page.body()).contains("<script type=\"module\" src=\"admin.js\">");
        assertThat(dev.get("/admin/admin.js").body()).contains("sessionStorage");
        assertThat(dev.get("/admin/nope.js").statusCode()).isEqualTo(404);
    }

    @Test
    void theStreamsFirstSnapshotShowsTheNodeItsSocketsRoomsChannelsLanesPublishesAndMetrics() throws Exception {
        WsClient member = dev.member("stream_user", "org_stream", "member");
        WsClient room = dev.openSilently("/parties/lobby/stream-room?_pk=ada");
        room.next();
        WsClient lane = dev.open("/lanes/v1/websocket?token=" + TestServer.jwt("lane_user", "org_stream", "member"));
        ok(dev.publish("/channels/v1/publish", "{\"channel\":\"admin-news\",\"event\":\"update\",\"data\":{\"n\":1}}"));
        ok(dev.publish("/broadcast/v1/changes", """
                {"table":"contacts","eventType":"INSERT","organizationId":"org_stream",
                 "new":{"id":1,"email":"jane@acme.com","note":"hi","secret":"x"}}"""));
        ok(dev.publish("/broadcast/v1/changes", """
                {"table":"applications","eventType":"INSERT","organizationId":"org_stream","new":{"id":2}}"""));
        ok(dev.publish("/broadcast/v1/broadcast", """
                {"event":"only-admins","payload":{"x":1},"organizationId":"org_stream","targetRoles":["admin"]}"""));

        try (AdminStream stream = AdminStream.open(dev.port(), TestServer.ACCESS_TOKEN)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("Content-Type")).contains("text/event-stream");
            JsonNode s = stream.next().snapshot();

            assertThat(s.get("devMode").asBoolean()).isTrue();
            assertThat(s.get("clustered").asBoolean()).isFalse();
            JsonNode node = s.get("nodes").get(0);
            assertThat(node.get("self").asBoolean()).isTrue();
            assertThat(node.get("connections").get("broadcast").asInt()).isEqualTo(1);
            assertThat(node.get("connections").get("rooms").asInt()).isEqualTo(1);
            assertThat(node.get("connections").get("lanes").asInt()).isEqualTo(1);

            JsonNode socket = find(s.get("sockets").get("shown"), "userId", "stream_user");
            assertThat(socket).as("the broadcast socket in %s", s.get("sockets")).isNotNull();
            assertThat(socket.get("primitive").asText()).isEqualTo("broadcast");
            assertThat(socket.get("target").asText()).isEqualTo("org:org_stream");
            assertThat(find(s.get("sockets").get("shown"), "target", "lobby/stream-room")).isNotNull();

            JsonNode r = find(s.get("rooms").get("shown"), "room", "stream-room");
            assertThat(r.get("party").asText()).isEqualTo("lobby");
            assertThat(r.get("loaded").asBoolean()).isTrue();
            assertThat(r.get("sockets").asInt()).isEqualTo(1);
            assertThat(r.get("presence").get(0).get("id").asText()).isEqualTo("ada");

            JsonNode channel = find(s.get("channels").get("shown"), "name", "admin-news");
            assertThat(channel.get("lastId").asLong()).isEqualTo(1);
            JsonNode laneView = find(s.get("lanes").get("shown"), "userId", "lane_user");
            assertThat(laneView.get("sockets").asInt()).isEqualTo(1);
            assertThat(laneView.get("owedAcks").asInt()).isZero();

            JsonNode publishes = s.get("publishes");
            JsonNode channelPublish = find(publishes, "target", "admin-news");
            assertThat(channelPublish.get("publisher").get("kind").asText()).isEqualTo("server-token");
            assertThat(channelPublish.get("delivered").asInt()).isZero();
            JsonNode contact = find(publishes, "event", "INSERT contacts");
            // masked and projected as a socket holding no role receives it
            assertThat(contact.get("payload").asText()).contains("j***@acme.com").doesNotContain("jane@").doesNotContain("secret");
            assertThat(contact.get("delivered").asInt()).isEqualTo(1);
            JsonNode application = find(publishes, "event", "INSERT applications");
            assertThat(application.get("payload").isNull()).isTrue();
            assertThat(application.get("hidden").asText()).isEqualTo("requiredRoles [owner]");
            assertThat(find(publishes, "event", "only-admins").get("hidden").asText()).isEqualTo("targetRoles [admin]");

            assertThat(s.get("metrics").get("deliveriesPerSec").isArray()).isTrue();

            // pushed again, never more than once a second
            AdminStream.Received second = stream.next();
            AdminStream.Received third = stream.next();
            assertThat(Duration.ofNanos(third.atNanos() - second.atNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
        member.close();
        room.close();
        lane.close();
    }

    @Test
    void thePublishActionReachesTheScopesSocketsAndIsTailedAsTheAdminPage() {
        WsClient member = dev.member("publish_user", "org_publish", "member");
        JsonNode r = ok(call(dev, "POST /admin/v1/publish",
                "{\"event\":\"admin-test\",\"payload\":{\"text\":\"hi\"},\"organizationId\":\"org_publish\"}", "Authorization", BEARER));
        assertThat(r.get("delivered").asInt()).isEqualTo(1);
        JsonNode got = member.nextJson();
        assertThat(got.get("type").asText()).isEqualTo("broadcast");
        assertThat(got.get("event").asText()).isEqualTo("admin-test");
        assertThat(got.get("payload").get("text").asText()).isEqualTo("hi");
        JsonNode tailed = find(snapshot(dev).get("publishes"), "target", "org:org_publish");
        assertThat(tailed.get("publisher").get("name").asText()).isEqualTo("admin page");
        assertThat(tailed.get("payload").asText()).isEqualTo("{\"text\":\"hi\"}");

        HttpResponse<String> bad = call(dev, "POST /admin/v1/publish", "{\"event\":\"x\",\"payload\":null}", "Authorization", BEARER);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(TestServer.json(bad.body()).get("error").asText()).isEqualTo("bad_request");
    }

    @Test
    void closeSocketClosesTheNamedSocketWith1000AndAnUnknownIdIs404() {
        WsClient member = dev.member("close_user", "org_close", "member");
        JsonNode socket = find(snapshot(dev).get("sockets").get("shown"), "userId", "close_user");
        JsonNode r = ok(call(dev, "POST /admin/v1/sockets/" + socket.get("id").asText() + "/close", null, "Authorization", BEARER));
        assertThat(r.get("closed").asText()).isEqualTo(socket.get("id").asText());
        assertThat(member.awaitClose()).isEqualTo(1000);
        await().atMost(Duration.ofSeconds(5)).until(() -> find(snapshot(dev).get("sockets").get("shown"), "userId", "close_user") == null);

        HttpResponse<String> unknown = call(dev, "POST /admin/v1/sockets/no-such-socket/close", null, "Authorization", BEARER);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(unknown.body()).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void unloadRoomDropsItsInstanceAndClosesItsSocketsWith1012() {
        WsClient a = dev.openSilently("/parties/lobby/unload-me?_pk=a");
        a.next();
        WsClient b = dev.openSilently("/parties/lobby/unload-me?_pk=b");
        b.next();
        JsonNode r = ok(call(dev, "POST /admin/v1/rooms/lobby/unload-me/unload", null, "Authorization", BEARER));
        assertThat(r.get("unloaded").get("room").asText()).isEqualTo("unload-me");
        assertThat(a.awaitClose()).isEqualTo(1012);
        assertThat(b.awaitClose()).isEqualTo(1012);
        await().atMost(Duration.ofSeconds(5)).until(() -> find(snapshot(dev).get("rooms").get("shown"), "room", "unload-me") == null);
        assertThat(dev.gauge("herald.connections", "primitive", "rooms")).isZero();

        HttpResponse<String> again = call(dev, "POST /admin/v1/rooms/lobby/unload-me/unload", null, "Authorization", BEARER);
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(TestServer.json(again.body()).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void mintingTestCredentialsIsRefusedOutsideDevMode() {
        HttpResponse<String> refused = call(production, "POST /admin/v1/tokens",
                "{\"kind\":\"jwt\",\"userId\":\"u\",\"organizationId\":\"o\",\"roles\":[\"member\"]}", "Authorization", BEARER);
        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode error = TestServer.json(refused.body());
        assertThat(error.get("error").asText()).isEqualTo("forbidden");
        assertThat(error.get("message").asText()).contains("only in dev mode");
        assertThat(snapshot(production).get("devMode").asBoolean()).isFalse();
    }

    @Test
    void inDevModeAMintedTicketOpensASocketAndAMintedJwtIsASession() {
        JsonNode ticket = ok(call(dev, "POST /admin/v1/tokens",
                "{\"kind\":\"ticket\",\"userId\":\"minted\",\"organizationId\":\"org_mint\",\"roles\":[\"member\"]}", "Authorization", BEARER));
        WsClient socket = dev.connect(ticket.get("ticket").asText());
        ok(call(dev, "POST /admin/v1/publish", "{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_mint\"}", "Authorization", BEARER));
        assertThat(socket.nextJson().get("event").asText()).isEqualTo("e");

        JsonNode jwt = ok(call(dev, "POST /admin/v1/tokens",
                "{\"kind\":\"jwt\",\"userId\":\"minted\",\"organizationId\":\"org_mint\",\"roles\":[\"owner\"]}", "Authorization", BEARER));
        assertThat(dev.ticket(jwt.get("token").asText())).isNotEmpty();

        HttpResponse<String> bad = call(dev, "POST /admin/v1/tokens", "{\"kind\":\"cookie\",\"userId\":\"u\"}", "Authorization", BEARER);
        assertThat(bad.statusCode()).isEqualTo(400);
    }
}
