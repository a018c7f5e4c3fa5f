package io.herald.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.auth.JwtSigner;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.Target;
import io.herald.spring.boot.autoconfigure.app.HeraldBootTestApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A real Spring Boot application with the auto-configuration: it starts Herald on its own port, a browser-like
 * client gets a ticket and opens a socket, and events published through the {@link HeraldPublisher} bean reach it.
 * It runs on the classpath a Boot 4.0.7 application resolves (Netty, Jackson 2, Micrometer and the rest at Boot's
 * versions), beside Boot's Jackson 3.
 */
class HeraldBootApplicationTest {
    static final String ACCESS_TOKEN = "boot-access-token-0123456789abcdef";
    static final String JWT_SECRET = "boot-jwt-secret-0123456789abcdefghi";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void publishesThroughThePublisherBeanToARealSocket() throws Exception {
        ConfigurableApplicationContext context = new SpringApplication(HeraldBootTestApplication.class).run(
                "--spring.config.name=herald-boot-test",
                "--herald.storage.path=" + dir.resolve("herald.db"),
                // the secrets come from outside the file, as an environment or a secrets manager would give them
                "--test.herald.access-token=" + ACCESS_TOKEN, "--test.herald.jwt-secret=" + JWT_SECRET);
        TestSocket socket;
        try {
            int port = context.getBean(HeraldServerLifecycle.class).server().port();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            String jwt = new JwtSigner(JWT_SECRET).sign(Map.of("sub", "u_1", "orgs", Map.of("org_1", List.of("recruiter")),
                    "exp", Instant.now().plusSeconds(3600).getEpochSecond()));
            HttpResponse<String> ticket = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/broadcast/v1/ws-ticket"))
                    .header("Authorization", "Bearer " + jwt).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ticket.statusCode()).as(ticket.body()).isEqualTo(200);
            socket = TestSocket.open(http, URI.create("ws://127.0.0.1:" + port + "/broadcast/v1/websocket?ws_ticket="
                    + JSON.readTree(ticket.body()).get("wsTicket").asText()));
            socket.awaitReady();

            HeraldPublisher publisher = context.getBean(HeraldPublisher.class);
            assertThat(publisher.broadcast("screening:complete", Map.of("score", 87), Target.organization("org_1")).join().delivered()).isEqualTo(1);
            assertThat(JSON.readTree(socket.next())).isEqualTo(JSON.readTree(
                    "{\"type\":\"broadcast\",\"event\":\"screening:complete\",\"payload\":{\"score\":87}}"));

            // a change under the table's rules from application.yaml: fields kept, the SSN masked for a recruiter
            publisher.publishChange("applications", ChangeEvent.Type.INSERT,
                    Map.of("id", "app_1", "stage", "screen", "ssn", "123-45-6789", "notes", "private"), null, Target.organization("org_1")).join();
            JsonNode change = JSON.readTree(socket.next());
            assertThat(change.get("type").asText()).isEqualTo("postgres_changes");
            assertThat(change.get("new")).isEqualTo(JSON.readTree("{\"id\":\"app_1\",\"stage\":\"screen\",\"ssn\":\"*****6789\"}"));

            // Boot's Jackson 3 beside Herald's Jackson 2: the application's JsonMapper bean, and its nodes as payloads
            tools.jackson.databind.json.JsonMapper jackson3 = context.getBean(tools.jackson.databind.json.JsonMapper.class);
            publisher.broadcast("from-jackson-3", jackson3.readTree("{\"v\":[3,\"x\"]}"), Target.organization("org_1")).join();
            assertThat(JSON.readTree(socket.next()).get("payload")).isEqualTo(JSON.readTree("{\"v\":[3,\"x\"]}"));
        } finally {
            context.close();
        }
        // the context's stop drained the server: the socket was closed with 1012 (service restart)
        assertThat(socket.awaitClose()).isEqualTo(1012);
    }

    @Test
    void nettyResolvesToOneVersion() {
        Set<String> versions = io.netty.util.Version.identify().values().stream()
                .map(io.netty.util.Version::artifactVersion).collect(Collectors.toSet());
        // Boot 4.0.7 manages 4.2.15.Final; Herald's own build pins 4.2.17.Final: a Boot application gets Boot's
        assertThat(versions).containsExactly("4.2.15.Final");
    }
}
