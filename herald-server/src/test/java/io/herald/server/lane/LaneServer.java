package io.herald.server.lane;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.auth.JwtSigner;
import io.herald.config.HeraldConfig;
import io.herald.config.LanesConfig;
import io.herald.config.ServerConfig;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A real Herald server on 127.0.0.1, port 0, for lane integration tests: a loopback HTTP client, user
 * JWTs signed with the test secret, lane sockets and the publish API. Closing it closes every socket it
 * opened, then the server.
 */
final class LaneServer implements AutoCloseable {
    static final String ACCESS_TOKEN = "lane-test-access-token-0123456789";
    static final String JWT_SECRET = "lane-test-jwt-secret-0123456789abcdef";
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HeraldServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    private final List<LaneClient> clients = new ArrayList<>();
    private final String base;

    private LaneServer(HeraldServer server, String base) {
        this.server = server;
        this.base = base;
    }

    /** A server with {@code lanes} and the server section changed by {@code server}; room storage under {@code dir}. */
    static LaneServer start(Path dir, LanesConfig lanes, UnaryOperator<ServerConfig> server) {
        HeraldConfig config = TestServer.loopback(ACCESS_TOKEN, JWT_SECRET, dir.resolve("herald.db"), server).withLanes(lanes);
        return new LaneServer(HeraldServer.start(config), lanes.basePath());
    }

    static LaneServer start(Path dir, LanesConfig lanes) {
        return start(dir, lanes, UnaryOperator.identity());
    }

    HeraldServer server() {
        return server;
    }

    /** A user id no other test uses, so tests sharing a server never see each other's envelopes. */
    static String newUser() {
        return "user_" + USERS.incrementAndGet();
    }

    /** A JWT, valid for an hour, whose {@code userId} claim is {@code userId}. */
    static String jwt(String userId) {
        return TestServer.signForAnHour(JWT_SECRET, Map.of("userId", userId));
    }

    static String jwt(Map<String, ?> claims) {
        return new JwtSigner(JWT_SECRET).sign(claims);
    }

    // ---- sockets -------------------------------------------------------------------------------

    /** The lane upgrade path under this server's base path, with {@code ?token=} for {@code userId}. */
    String socketPath(String userId) {
        return base + "/websocket?token=" + jwt(userId);
    }

    /** Opens a lane socket for {@code userId} (token in the query) and syncs with a ping. */
    LaneClient connect(String userId) {
        return open(socketPath(userId));
    }

    /** A socket of {@code userId} subscribed to {@code filtersJson}, with the {@code subscribed} reply consumed. */
    LaneClient subscribed(String userId, String filtersJson) {
        LaneClient c = connect(userId);
        c.subscribe(filtersJson);
        assertThat(c.nextJson().get("type").asText()).isEqualTo("subscribed");
        return c;
    }

    /** Opens a WebSocket on {@code pathAndQuery}, expecting the upgrade; checks that the first frame the server sends is our pong. */
    LaneClient open(String pathAndQuery, String... headers) {
        LaneClient c = LaneClient.open(http, wsUri(pathAndQuery), headers);
        synchronized (clients) {
            clients.add(c);
        }
        c.sync();
        return c;
    }

    /** Attempts an upgrade that must be refused before it happens; returns the refusal's HTTP status. */
    int refusedUpgrade(String pathAndQuery, String... headers) {
        return WsClient.refused(http, wsUri(pathAndQuery), headers).getResponse().statusCode();
    }

    private URI wsUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    String publishPath() {
        return base + "/publish";
    }

    /** POSTs {@code body} to the publish path with header name/value pairs, without waiting for the answer. */
    CompletableFuture<HttpResponse<String>> publishAsync(String body, String... headers) {
        return http.sendAsync(request(publishPath(), headers).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code body} to the publish path as the server (ACCESS_TOKEN, application/json). */
    CompletableFuture<HttpResponse<String>> publishAsServer(String body) {
        return publishAsync(body, "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");
    }

    HttpResponse<String> publish(String body, String... headers) {
        return join(publishAsync(body, headers));
    }

    HttpResponse<String> send(HttpRequest.Builder request) {
        return TestServer.send(http, request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(TIMEOUT);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    /** The response of {@code f}, waiting up to 10 s. */
    static HttpResponse<String> join(CompletableFuture<HttpResponse<String>> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the request failed", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no response within 10 s", e);
        }
    }

    @Override
    public void close() {
        synchronized (clients) {
            clients.forEach(LaneClient::close);
        }
        server.close();
    }
}
