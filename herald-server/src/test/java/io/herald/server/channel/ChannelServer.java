package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.Herald;
import io.herald.config.ChannelsConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A real Herald server on 127.0.0.1 and an ephemeral port for the Channels integration tests, with a
 * JDK HTTP client, JWTs minted with its secret, the publish API and SSE streams it closes for you.
 */
final class ChannelServer implements AutoCloseable {
    static final String ACCESS_TOKEN = "channel-tests-access-token-0123456789";
    static final String JWT_SECRET = "channel-tests-jwt-secret-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HeraldServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final List<SseStream> streams = new ArrayList<>();

    private ChannelServer(HeraldServer server) {
        this.server = server;
    }

    /** Loopback, port 0, the test secrets, storage in {@code storageFile}, {@code channels}; {@code server} may adjust the rest. */
    static HeraldConfig config(Path storageFile, ChannelsConfig channels, UnaryOperator<ServerConfig> server) {
        return TestServer.loopback(ACCESS_TOKEN, JWT_SECRET, storageFile, server).withChannels(channels);
    }

    static HeraldConfig config(Path storageFile, ChannelsConfig channels) {
        return config(storageFile, channels, UnaryOperator.identity());
    }

    /** Rules used by most tests: orgs and own-user channels, and public {@code status:*} / {@code pub:*}. */
    static ChannelsConfig rules() {
        return ChannelsConfig.defaults().withRules(List.of("team:{org}:*", "member:{user}:notify"), List.of("status:*", "pub:*"));
    }

    static ChannelServer start(HeraldConfig config) {
        return new ChannelServer(HeraldServer.start(config));
    }

    static ChannelServer start(HeraldConfig config, Consumer<Herald.Builder> embedder) {
        return new ChannelServer(HeraldServer.start(config, embedder));
    }

    Herald herald() {
        return server.herald();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
    }

    int port() {
        return server.port();
    }

    /** A session JWT valid for an hour for {@code userId}, member of {@code orgs}. */
    static String jwt(String userId, String... orgs) {
        Map<String, List<String>> byOrg = new LinkedHashMap<>();
        for (String o : orgs) {
            byOrg.put(o, List.of("member"));
        }
        return TestServer.signForAnHour(JWT_SECRET, Map.of("sub", userId, "orgs", byOrg));
    }

    // ---- plain requests -------------------------------------------------------------------------

    HttpResponse<String> send(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestServer.send(http, b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String... headers) {
        return send("GET", path, null, headers);
    }

    /** {@code POST /channels/v1/publish} with the access token and a JSON body. */
    HttpResponse<String> publishRaw(String body) {
        return send("POST", "/channels/v1/publish", body, "Authorization", "Bearer " + ACCESS_TOKEN,
                "Content-Type", "application/json");
    }

    /** Publishes through the API, expects 200, returns the answer {@code {"delivered","id"}}. */
    JsonNode publish(String channel, String event, String dataJson) {
        HttpResponse<String> r = publishRaw("{\"channel\":\"" + channel + "\",\"event\":\"" + event + "\",\"data\":" + dataJson + "}");
        assertThat(r.statusCode()).as("publish answer %s", r.body()).isEqualTo(200);
        return json(r.body());
    }

    /** Publishes events {@code e<i>} with data {@code i} for i in from..to, in-process. */
    void publishRange(String channel, int from, int to) {
        for (int i = from; i <= to; i++) {
            herald().channels().publish(channel, "e" + i, JSON.valueToTree(i)).join();
        }
    }

    static String frame(int i) {
        return "event: e" + i + "\nid: " + i + "\ndata: " + i + "\n\n";
    }

    static String frames(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sb.append(frame(i));
        }
        return sb.toString();
    }

    static JsonNode json(String text) {
        return TestServer.json(text);
    }

    /** Sends {@code request} as is on a new socket and returns everything the server answers until it closes. */
    String raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- streams --------------------------------------------------------------------------------

    /** Opens {@code GET pathAndQuery} as a stream; the caller checks the status. Closed with the server. */
    SseStream open(String pathAndQuery, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).header("Accept", "text/event-stream").GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        SseStream s = new SseStream(TestServer.send(http, b.build(), HttpResponse.BodyHandlers.ofInputStream()));
        synchronized (streams) {
            streams.add(s);
        }
        return s;
    }

    /** Opens a stream that must be accepted, and waits for its {@code : connected} (the server has subscribed it). */
    SseStream stream(String pathAndQuery, String... headers) {
        SseStream s = open(pathAndQuery, headers);
        assertThat(s.response().statusCode()).as("status of %s", pathAndQuery).isEqualTo(200);
        assertThat(s.awaitFrames(1).get(0)).isEqualTo(": connected\n\n");
        return s;
    }

    /** Live SSE subscribers of this server, all channels. */
    int subscribers() {
        return herald().meters().connections("channels").get();
    }

    /** SSE streams in the keepalive sweeps of the server's event loops. */
    int sweptStreams() {
        return TestServer.sweptStreams(server);
    }

    /** A counter of the engine's registry, 0 when absent. */
    double counter(String name, String... tags) {
        var c = herald().meters().registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    void closeStreams() {
        synchronized (streams) {
            streams.forEach(SseStream::close);
            streams.clear();
        }
    }

    /** Closes the server and leaves the streams open on this side: what the server does to them shows. */
    void closeServer() {
        server.close();
    }

    @Override
    public void close() {
        closeStreams();
        server.close();
    }
}
