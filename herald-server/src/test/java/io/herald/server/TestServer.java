package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.herald.Herald;
import io.herald.auth.JwtSigner;
import io.herald.config.AuthConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import io.herald.config.StorageConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real Herald server on an ephemeral loopback port for integration tests, with a loopback HTTP client,
 * session JWTs minted with the test secret, and shortcuts for tickets, sockets and the publish API.
 * Closing it closes the server and every socket it opened.
 */
public final class TestServer implements AutoCloseable {
    public static final String ACCESS_TOKEN = "test-access-token-0123456789abcdef";
    public static final String JWT_SECRET = "test-jwt-secret-0123456789abcdef";
    public static final String ALLOWED_ORIGIN = "https://app.example.com";
    public static final ObjectMapper JSON = new ObjectMapper();

    /** Tables, masking and namespaces shared by most tests. */
    public static final String STANDARD = """
            server:
              allowedOrigins: [https://app.example.com]
            broadcast:
              tables:
                applications:
                  requiredRoles: [recruiter, hiring-manager, owner]
                  fields: [id, candidateId, stage, ssn, email]
                  masking:
                    ssn: { type: ssn, show: { roles: [owner] } }
                    email: { type: email }
                notes:
                  onDelete: false
              namespaces:
                screening: [started, progress, complete]
            """;

    /** The system property that forces every test server's {@code server.transport}. */
    public static final String TRANSPORT_PROPERTY = "herald.test.transport";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HeraldServer server;
    private final HttpClient http;
    private final List<AutoCloseable> clients = new ArrayList<>();

    private TestServer(HeraldServer server) {
        this.server = server;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    /** The configuration of {@code yaml} on 127.0.0.1, port 0, with the test access token and JWT secret. */
    public static HeraldConfig config(String yaml) {
        HeraldConfig c;
        try {
            c = yaml == null || yaml.isBlank() ? HeraldConfig.empty() : YAML.readValue(yaml, HeraldConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return c.withServer(loopback(c.server(), ACCESS_TOKEN))
                .withAuth(c.auth().withJwtSecret(JWT_SECRET));
    }

    /**
     * {@code server} on 127.0.0.1, port 0, with {@code accessToken}; with the transport named by the system property
     * {@value #TRANSPORT_PROPERTY} when it is set, so a run of the suites can force one
     * ({@code -Dherald.test.transport=io_uring}).
     */
    public static ServerConfig loopback(ServerConfig server, String accessToken) {
        String transport = System.getProperty(TRANSPORT_PROPERTY);
        ServerConfig s = transport == null || transport.isBlank() ? server : server.withTransport(transport);
        return s.withHost("127.0.0.1").withPort(0).withAccessToken(accessToken);
    }

    /**
     * An empty configuration on 127.0.0.1, port 0, with {@code accessToken}, {@code jwtSecret} and storage in
     * {@code storageFile}; {@code server} may adjust the server section. The other suites' servers build on it.
     */
    public static HeraldConfig loopback(String accessToken, String jwtSecret, Path storageFile, UnaryOperator<ServerConfig> server) {
        return HeraldConfig.empty()
                .withServer(server.apply(loopback(ServerConfig.defaults(), accessToken)))
                .withAuth(AuthConfig.defaults().withJwtSecret(jwtSecret))
                .withStorage(new StorageConfig(storageFile.toString(), null));
    }

    public static HeraldConfig loopback(String accessToken, String jwtSecret, Path storageFile) {
        return loopback(accessToken, jwtSecret, storageFile, UnaryOperator.identity());
    }

    public static TestServer start(String yaml) {
        return start(config(yaml));
    }

    public static TestServer start(HeraldConfig config) {
        return new TestServer(HeraldServer.start(config));
    }

    /** A server on {@code config} whose engine {@code embedder} completes in code (another broker, rooms bound in code). */
    public static TestServer start(HeraldConfig config, java.util.function.Consumer<io.herald.Herald.Builder> embedder) {
        return new TestServer(HeraldServer.start(config, embedder));
    }

    /** A server on {@code config} started as in dev mode, as if {@code herald serve} had generated its secrets. */
    public static TestServer startInDevMode(HeraldConfig config) {
        return new TestServer(HeraldServer.start(new io.herald.server.config.ConfigLoader.Loaded(config,
                List.of("ACCESS_TOKEN", "JWT_SECRET"), List.of())));
    }

    public HeraldServer server() {
        return server;
    }

    public Herald herald() {
        return server.herald();
    }

    public int port() {
        return server.port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    // ---- sessions -------------------------------------------------------------------------------

    /** A session JWT, valid for an hour, for {@code userId} with roles per org. */
    public static String jwt(String userId, Map<String, List<String>> orgs) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", userId);
        claims.put("orgs", orgs);
        return signForAnHour(JWT_SECRET, claims);
    }

    /** A session JWT for {@code userId} in one org with {@code roles}. */
    public static String jwt(String userId, String org, String... roles) {
        return jwt(userId, Map.of(org, List.of(roles)));
    }

    /** A JWT of arbitrary claims signed with the test secret. */
    public static String jwt(Map<String, ?> claims) {
        return new JwtSigner(JWT_SECRET).sign(claims);
    }

    /** {@code claims} signed with {@code secret}, with an {@code exp} an hour from now unless the claims have one. */
    public static String signForAnHour(String secret, Map<String, ?> claims) {
        Map<String, Object> c = new LinkedHashMap<>(claims);
        c.putIfAbsent("exp", Instant.now().plusSeconds(3600).getEpochSecond());
        return new JwtSigner(secret).sign(c);
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    /** POSTs {@code body} (null for none) with header name/value pairs. */
    public HttpResponse<String> post(String path, String body, String... headers) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return send(request(path, headers).POST(publisher).build());
    }

    public HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    public HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return send(request(path, headers).method(method, publisher).build());
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest request) {
        return send(http, request, HttpResponse.BodyHandlers.ofString());
    }

    /** {@code http.send} with the checked exceptions turned into unchecked ones. */
    public static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs JSON to a server-API path with the access token. */
    public HttpResponse<String> publish(String path, String json) {
        return post(path, json, "Authorization", "Bearer " + ACCESS_TOKEN, "Content-Type", "application/json");
    }

    /** Publishes a postgres_changes event and returns how many sockets it reached. */
    public int publishChange(String json) {
        return delivered(publish("/broadcast/v1/changes", json));
    }

    /** Publishes a custom event and returns how many sockets it reached. */
    public int publishBroadcast(String json) {
        return delivered(publish("/broadcast/v1/broadcast", json));
    }

    private static int delivered(HttpResponse<String> r) {
        assertThat(r.statusCode()).as("publish response %s", r.body()).isEqualTo(200);
        return json(r.body()).get("delivered").asInt();
    }

    // ---- tickets and sockets --------------------------------------------------------------------

    /** Requests a ticket with {@code Authorization: Bearer jwt} and an optional JSON body; expects 200. */
    public String ticket(String jwt, String body) {
        HttpResponse<String> r = body == null
                ? post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + jwt)
                : post("/broadcast/v1/ws-ticket", body, "Authorization", "Bearer " + jwt, "Content-Type", "application/json");
        assertThat(r.statusCode()).as("ticket response %s", r.body()).isEqualTo(200);
        return json(r.body()).get("wsTicket").asText();
    }

    public String ticket(String jwt) {
        return ticket(jwt, null);
    }

    /** Opens {@code /broadcast/v1/websocket?ws_ticket=T} and waits until the server has subscribed it. */
    public WsClient connect(String ticket) {
        return open("/broadcast/v1/websocket?ws_ticket=" + ticket);
    }

    /**
     * Opens a WebSocket on {@code pathAndQuery} (expects the upgrade to succeed) without the readiness
     * ping, for sockets whose first frame is the server's (a resumable broadcast socket's position).
     */
    public WsClient openSilently(String pathAndQuery, String... headers) {
        WsClient c = WsClient.open(http, wsUri(pathAndQuery), new WsClient(), headers);
        clients.add(c);
        return c;
    }

    /** Opens a WebSocket on {@code pathAndQuery} (expects the upgrade to succeed) and waits until it is subscribed. */
    public WsClient open(String pathAndQuery, String... headers) {
        WsClient c = WsClient.open(http, wsUri(pathAndQuery), new WsClient(), headers);
        clients.add(c);
        c.awaitReady();
        return c;
    }

    /** Attempts an upgrade that must be refused before it happens, and returns the handshake failure. */
    public WebSocketHandshakeException refusedUpgrade(String pathAndQuery, String... headers) {
        return WsClient.refused(http, wsUri(pathAndQuery), headers);
    }

    private URI wsUri(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    /** A connected, subscribed socket of {@code userId} in {@code org} with {@code roles}. */
    public WsClient member(String userId, String org, String... roles) {
        return connect(ticket(jwt(userId, org, roles)));
    }

    /** The SSE streams in the keepalive sweeps of {@code server}'s event loops (streams leave them when they close). */
    public static int sweptStreams(HeraldServer server) {
        return server.sweptStreams();
    }

    /** Registers something to close with the server. */
    public <T extends AutoCloseable> T closeLater(T c) {
        clients.add(c);
        return c;
    }

    // ---- JSON and metrics -----------------------------------------------------------------------

    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** The value of a counter of the engine's meter registry, 0 when it does not exist yet. */
    public double counter(String name, String... tags) {
        var c = herald().meters().registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** Closes every socket opened through this server so far (for {@code @AfterEach}). */
    public void closeClients() {
        for (AutoCloseable c : clients) {
            try {
                c.close();
            } catch (Exception e) {
                // the server closes whatever is left when it stops
            }
        }
        clients.clear();
    }

    /** The value of a gauge of the engine's meter registry, 0 when it does not exist yet. */
    public double gauge(String name, String... tags) {
        var g = herald().meters().registry().find(name).tags(tags).gauge();
        return g == null ? 0 : g.value();
    }

    @Override
    public void close() {
        closeClients();
        server.close();
    }
}
