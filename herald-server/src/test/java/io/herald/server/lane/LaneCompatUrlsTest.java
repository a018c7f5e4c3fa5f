package io.herald.server.lane;

import static io.herald.server.lane.LaneServer.ACCESS_TOKEN;
import static io.herald.server.lane.LaneServer.jwt;
import static io.herald.server.lane.LaneServer.newUser;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.LanesConfig;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server configured as a drop-in HopeFlow Realtime: {@code basePath: ""} (upgrade on any unclaimed
 * path, publish at {@code /publish}), {@code publishPolicy: any-authenticated} and CORS for {@code *}.
 */
class LaneCompatUrlsTest {
    private static final String ALL = "[{\"type\":\"chat_message\"}]";

    @TempDir
    static Path dir;
    static LaneServer server;

    @BeforeAll
    static void start() {
        server = LaneServer.start(dir,
                LanesConfig.defaults().withBasePath("").withPublishPolicy(LanesConfig.PublishPolicy.ANY_AUTHENTICATED),
                s -> s.withAllowedOrigins(List.of("*")));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String chatTo(String user) {
        return "{\"userId\":\"" + user + "\",\"type\":\"chat_message\",\"payload\":{\"text\":\"hi\"}}";
    }

    /** Publishes to {@code user} with {@code bearer}, lets {@code socket} ack, and returns the response body. */
    private static String publishAndAck(String bearer, String user, LaneClient socket) {
        var response = server.publishAsync(chatTo(user), "Authorization", "Bearer " + bearer, "Content-Type", "application/json");
        JsonNode envelope = socket.nextJson();
        assertThat(envelope.get("userId").asText()).isEqualTo(user);
        socket.ack(envelope.get("envelopeId").asText(), "\"ok\"");
        HttpResponse<String> r = LaneServer.join(response);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    void theUpgradeIsAtTheRootAndPublishAtSlashPublish() {
        String user = newUser();
        LaneClient socket = server.open("/?token=" + jwt(user));
        socket.subscribe(ALL);
        socket.next();

        assertThat(server.publishPath()).isEqualTo("/publish");
        assertThat(publishAndAck(ACCESS_TOKEN, user, socket)).isEqualTo("{\"clientCount\":1,\"results\":[\"ok\"]}");
    }

    @Test
    void anUpgradeOnAnyPathNoOtherRouteClaimsIsALaneSocket() {
        String user = newUser();
        LaneClient deep = server.open("/some/arbitrary/path?token=" + jwt(user));
        LaneClient header = server.open("/ws", "Authorization", "Bearer " + jwt(user));
        deep.subscribe(ALL);
        header.subscribe(ALL);
        deep.next();
        header.next();

        var response = server.publishAsync(chatTo(user), "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");
        deep.ack(deep.nextJson().get("envelopeId").asText(), "1");
        header.ack(header.nextJson().get("envelopeId").asText(), "1");

        assertThat(LaneServer.join(response).body()).isEqualTo("{\"clientCount\":2,\"results\":[1,1]}");
        assertThat(server.refusedUpgrade("/anywhere")).as("still authenticated").isEqualTo(401);
    }

    @Test
    void otherRoutesKeepTheirPathsAndTheDefaultLanePathsAreNotMounted() {
        HttpResponse<String> health = server.send(server.request("/healthz").GET());
        HttpResponse<String> oldPublish = server.send(server.request("/lanes/v1/publish",
                "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatTo(newUser()))));

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(oldPublish.statusCode()).isEqualTo(404);
    }

    @Test
    void underAnyAuthenticatedAUserTokenMayPublishToAnyUserAsHopeFlowAllows() {
        String publisher = newUser();
        String target = newUser();
        LaneClient socket = server.subscribed(target, ALL);

        assertThat(publishAndAck(jwt(publisher), target, socket)).isEqualTo("{\"clientCount\":1,\"results\":[\"ok\"]}");
        assertThat(publishAndAck(ACCESS_TOKEN, target, socket)).as("the server credential too")
                .isEqualTo("{\"clientCount\":1,\"results\":[\"ok\"]}");
    }

    @Test
    void underAnyAuthenticatedMissingOrInvalidCredentialsAreStill401BeforeTheContentType() {
        String body = chatTo(newUser());

        HttpResponse<String> none = server.publish(body, "Content-Type", "text/plain");
        HttpResponse<String> forged = server.publish(body, "Authorization", "Bearer " + jwt(newUser()) + "x",
                "Content-Type", "text/plain");
        HttpResponse<String> wrongType = server.publish(body, "Authorization", "Bearer " + jwt(newUser()),
                "Content-Type", "text/plain");

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(wrongType.statusCode()).isEqualTo(415);
    }

    @Test
    void anOptionsPreflightOnPublishIsAnsweredForTheConfiguredOrigins() {
        HttpResponse<String> r = server.send(server.request("/publish",
                        "Origin", "https://app.example.com",
                        "Access-Control-Request-Method", "POST",
                        "Access-Control-Request-Headers", "authorization,content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));

        assertThat(r.statusCode()).isIn(200, 204);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(m -> assertThat(m).contains("POST"));
    }

    @Test
    void aBasePathWhoseSocketPathAnotherPrimitiveTakesIsRefusedAtStart(@TempDir Path other) {
        // broadcast's socket is matched first: lane sockets there would never be reached
        assertThatThrownBy(() -> LaneServer.start(other, LanesConfig.defaults().withBasePath("/broadcast/v1")).close())
                .hasStackTraceContaining("Lane sockets at /broadcast/v1/websocket would get no upgrade")
                .hasStackTraceContaining("Broadcast sockets at /broadcast/v1/websocket");
    }
}
