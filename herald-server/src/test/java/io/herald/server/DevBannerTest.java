package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.config.ConfigLoader;
import io.herald.server.config.DevSecrets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev-mode banner's commands, run as printed against a real dev-mode server: its lines are read the way a shell
 * reads them ($VAR, quotes, a $(curl | sed) substitution), curl is played by an HTTP client and wscat by a WebSocket
 * client, and each primitive's command must reach an endpoint that answers.
 */
class DevBannerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration WAIT = WsClient.WAIT;

    @TempDir
    Path dir;

    private Map<String, String> devEnv() {
        return Map.of("HERALD_SERVER_HOST", "127.0.0.1", "HERALD_SERVER_PORT", "0", "HERALD_STORAGE_PATH", dir.resolve("herald.db").toString());
    }

    private ConfigLoader.Loaded load(Path file) {
        return new ConfigLoader(devEnv()).devSecrets(DevSecrets.keptIn(dir.resolve(DevSecrets.DEFAULT))).load(file, null);
    }

    @Test
    void everyPrimitivesCommandReachesAnEndpointThatAnswers() throws Exception {
        ConfigLoader.Loaded loaded = load(null);
        try (HeraldServer server = HeraldServer.start(loaded)) {
            List<String> banner = DevBanner.lines(loaded, server.port(), server.servesExamples());
            String text = String.join("\n", banner);
            assertThat(text).contains(dir.resolve("data/dev-secrets").toAbsolutePath().normalize() + " (written now)")
                    .contains("HERALD_SERVER_ALLOWED_ORIGINS=").contains("./herald token --user")
                    .doesNotContain("websocat");
            assertThat(banner).filteredOn(l -> !l.startsWith(" ") && !l.isEmpty()).extracting(l -> l.replaceAll(" \\(.*", ""))
                    .contains("Broadcast", "Rooms, relay", "Rooms, presence", "Yjs", "Channels", "Lanes");

            Map<String, String> vars = new HashMap<>();
            List<String> export = words(command(banner, "export "), vars);
            export.subList(1, export.size()).forEach(a -> vars.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1)));
            assertThat(vars).containsKeys("HERALD", "ACCESS_TOKEN", "JWT");
            assertThat(vars.get("HERALD")).isEqualTo("http://127.0.0.1:" + server.port());

            // health
            assertThat(curl(words(command(banner, "curl $HERALD/healthz"), vars)).statusCode()).isEqualTo(200);

            // broadcast: the socket's URL with a ticket from $(curl | sed), then the publish command
            List<String> broadcastCommands = commandsAfter(banner, "Broadcast");
            String broadcastUrl = wscatUrl(broadcastCommands.get(0), vars);
            assertThat(broadcastUrl).matches("ws://127\\.0\\.0\\.1:\\d+/broadcast/v1/websocket\\?ws_ticket=v1\\.[^\"]+");
            try (WsClient socket = WsClient.open(HTTP, URI.create(broadcastUrl), new WsClient())) {
                HttpResponse<String> published = curl(words(broadcastCommands.get(1), vars));
                assertThat(published.statusCode()).isEqualTo(200);
                assertThat(published.body()).isEqualTo("{\"delivered\":1}");
                assertThat(socket.next()).isEqualTo("{\"type\":\"broadcast\",\"event\":\"hello\",\"payload\":{\"text\":\"hi\"}}");
            }

            // rooms: relay between two sockets without credentials, presence with the token
            String relay = wscatUrl(commandsAfter(banner, "Rooms, relay").get(0), vars);
            try (WsClient a = WsClient.open(HTTP, URI.create(relay), new WsClient());
                 WsClient b = WsClient.open(HTTP, URI.create(relay), new WsClient())) {
                a.send("hello relay");
                assertThat(b.next()).isEqualTo("hello relay");
            }
            try (WsClient presence = WsClient.open(HTTP, URI.create(wscatUrl(commandsAfter(banner, "Rooms, presence").get(0), vars)), new WsClient())) {
                assertThat(presence.nextJson().get("type").asText()).isEqualTo("presence");
            }

            // Yjs: the document's first sync message, in y-websocket's binary protocol
            try (WsClient yjs = WsClient.open(HTTP, URI.create(wscatUrl(commandsAfter(banner, "Yjs").get(0), vars)), new WsClient())) {
                assertThat(yjs.next()).isEqualTo("<binary>");
            }

            // channels: the SSE stream gets what the publish command sends
            List<String> channelCommands = commandsAfter(banner, "Channels");
            BlockingQueue<String> stream = curlStream(words(channelCommands.get(0), vars));
            assertThat(stream.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(": connected");
            HttpResponse<String> channelPublish = curl(words(channelCommands.get(1), vars));
            assertThat(channelPublish.statusCode()).isEqualTo(200);
            assertThat(nextNonBlank(stream)).isEqualTo("event: hello");

            // lanes: subscribe as the header line says, then the publish command reaches the socket
            String lanesHeader = banner.stream().filter(l -> l.startsWith("Lanes")).findFirst().orElseThrow();
            Matcher subscribe = Pattern.compile("send (\\{.*}), then").matcher(lanesHeader);
            assertThat(subscribe.find()).isTrue();
            List<String> laneCommands = commandsAfter(banner, "Lanes");
            try (WsClient lane = WsClient.open(HTTP, URI.create(wscatUrl(laneCommands.get(0), vars)), new WsClient())) {
                lane.send(subscribe.group(1));
                assertThat(lane.nextJson().get("type").asText()).isEqualTo("subscribed");
                HttpResponse<String> lanePublish = curl(words(laneCommands.get(1), vars));
                assertThat(lanePublish.statusCode()).isEqualTo(200);
                assertThat(TestServer.json(lanePublish.body()).get("clientCount").asInt()).isEqualTo(1);
                assertThat(lane.nextJson().get("type").asText()).isEqualTo("hello");
            }

            // the same ticket substitution in a real shell, where there is one with curl and sed
            if (onPath("sh") && onPath("curl") && onPath("sed")) {
                String raw = broadcastCommands.get(0).strip().substring("npx wscat -c ".length());
                ProcessBuilder pb = new ProcessBuilder("sh", "-c", "printf '%s' " + raw).redirectErrorStream(true);
                pb.environment().putAll(vars);
                Process p = pb.start();
                String expanded = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(expanded).matches("ws://127\\.0\\.0\\.1:\\d+/broadcast/v1/websocket\\?ws_ticket=v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
            }
        }
    }

    @Test
    void aRestartKeepsTheSecretsAndSaysWhereTheyCameFrom() {
        ConfigLoader.Loaded first = load(null);
        ConfigLoader.Loaded second = load(null);

        String export = command(DevBanner.lines(second, 8080, false), "export ");
        assertThat(export).contains("ACCESS_TOKEN=" + first.config().server().accessToken() + " ");
        assertThat(String.join("\n", DevBanner.lines(second, 8080, false))).contains("(from an earlier start)")
                .contains("(no /examples/: this jar was built without node");
    }

    @Test
    void aNameTheConfigurationTookGetsNoCommandItWouldNotAnswer() throws IOException {
        Path file = Files.writeString(dir.resolve("herald.yaml"), """
                rooms:
                  bindings:
                    - { name: LOBBY, className: io.herald.room.builtin.PresenceRoom }
                server:
                  allowedOrigins: ["http://localhost:5173"]
                """);

        List<String> banner = DevBanner.lines(load(file), 8080, true);

        // the configuration's LOBBY is no public relay room: no relay command; its presence room is offered instead
        assertThat(banner).noneMatch(l -> l.startsWith("Rooms, relay"));
        assertThat(commandsAfter(banner, "Rooms, presence").get(0)).contains("/parties/lobby/r1?token=$JWT");
        assertThat(String.join("\n", banner)).doesNotContain("HERALD_SERVER_ALLOWED_ORIGINS");
    }

    // ---------------------------------------------------------------------------------------------------------
    // reading the banner as a shell would

    /** The first command line (indented) that starts with {@code prefix}. */
    private static String command(List<String> banner, String prefix) {
        return banner.stream().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no " + prefix));
    }

    /** The command lines under the header that starts with {@code header}. */
    private static List<String> commandsAfter(List<String> banner, String header) {
        int at = -1;
        for (int i = 0; i < banner.size(); i++) {
            if (banner.get(i).startsWith(header)) {
                at = i;
                break;
            }
        }
        assertThat(at).as("a line starting with %s", header).isNotNegative();
        List<String> commands = new ArrayList<>();
        for (int i = at + 1; i < banner.size() && banner.get(i).startsWith("  "); i++) {
            commands.add(banner.get(i).strip());
        }
        return commands;
    }

    /** The URL {@code npx wscat -c <url>} connects to. */
    private String wscatUrl(String command, Map<String, String> vars) {
        List<String> w = words(command, vars);
        assertThat(w.subList(0, 3)).containsExactly("npx", "wscat", "-c");
        assertThat(w).hasSize(4);
        return w.get(3);
    }

    private List<String> words(String line, Map<String, String> vars) {
        return words(line, vars, inner -> pipeline(inner, vars));
    }

    /** Shell words: whitespace-separated, '...' literal, "..." with $VAR and $(...), $VAR outside quotes. */
    static List<String> words(String line, Map<String, String> vars, Function<String, String> substitute) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (cur != null) {
                    out.add(cur.toString());
                    cur = null;
                }
                i++;
                continue;
            }
            cur = cur == null ? new StringBuilder() : cur;
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                cur.append(line, i + 1, end);
                i = end + 1;
            } else if (c == '"') {
                i++;
                while (line.charAt(i) != '"') {
                    char d = line.charAt(i);
                    if (d == '\\' && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        cur.append(line.charAt(i + 1));
                        i += 2;
                    } else if (d == '$' && line.charAt(i + 1) == '(') {
                        int end = closingParen(line, i + 2);
                        cur.append(substitute.apply(line.substring(i + 2, end)));
                        i = end + 1;
                    } else if (d == '$') {
                        i = variable(line, i, vars, cur);
                    } else {
                        cur.append(d);
                        i++;
                    }
                }
                i++;
            } else if (c == '$') {
                i = variable(line, i, vars, cur);
            } else {
                cur.append(c);
                i++;
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out;
    }

    private static int variable(String line, int dollar, Map<String, String> vars, StringBuilder cur) {
        int end = dollar + 1;
        while (end < line.length() && (Character.isLetterOrDigit(line.charAt(end)) || line.charAt(end) == '_')) {
            end++;
        }
        String name = line.substring(dollar + 1, end);
        assertThat(vars).as("$%s is set by the export line", name).containsKey(name);
        cur.append(vars.get(name));
        return end;
    }

    /** The index of the ')' closing a '$(' whose contents start at {@code from}, skipping quoted text. */
    private static int closingParen(String s, int from) {
        int depth = 1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'') {
                i = s.indexOf('\'', i + 1);
            } else if (c == '"') {
                for (i++; s.charAt(i) != '"'; i++) {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new AssertionError("no closing parenthesis in " + s);
    }

    /** {@code curl ... | sed -E 's/A/B/'}: the body of the request, through the substitution. */
    private String pipeline(String inner, Map<String, String> vars) {
        String[] stages = inner.split(" \\| ");
        String out = curl(words(stages[0], vars)).body();
        for (int i = 1; i < stages.length; i++) {
            List<String> sed = words(stages[i], vars);
            assertThat(sed.subList(0, 2)).containsExactly("sed", "-E");
            String[] parts = sed.get(2).split("/", -1);
            assertThat(parts[0]).isEqualTo("s");
            out = Pattern.compile(parts[1]).matcher(out).replaceFirst(parts[2].replace("\\1", "$1"));
        }
        return out;
    }

    private static HttpRequest request(List<String> w) {
        assertThat(w.get(0)).isEqualTo("curl");
        String method = null;
        String url = null;
        String body = null;
        List<String> headers = new ArrayList<>();
        for (int i = 1; i < w.size(); i++) {
            switch (w.get(i)) {
                case "-s", "-N" -> { }
                case "-X" -> method = w.get(++i);
                case "-H" -> {
                    String h = w.get(++i);
                    headers.add(h.substring(0, h.indexOf(':')));
                    headers.add(h.substring(h.indexOf(':') + 1).strip());
                }
                case "-d" -> body = w.get(++i);
                default -> {
                    assertThat(url).as("one URL in %s", w).isNull();
                    url = w.get(i);
                }
            }
        }
        method = method != null ? method : body != null ? "POST" : "GET";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        return b.build();
    }

    private static HttpResponse<String> curl(List<String> w) {
        return TestServer.send(HTTP, request(w), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code curl -N}: the lines of the streamed body as they arrive. */
    private static BlockingQueue<String> curlStream(List<String> w) {
        assertThat(w).contains("-N");
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HTTP.sendAsync(request(w), HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> {
            assertThat(r.statusCode()).isEqualTo(200);
            r.body().forEach(lines::add);
        });
        return lines;
    }

    private static String nextNonBlank(BlockingQueue<String> lines) throws InterruptedException {
        for (String l = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS); l != null; l = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            if (!l.isBlank()) {
                return l;
            }
        }
        throw new AssertionError("the stream ended");
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, command))) {
                return true;
            }
        }
        return false;
    }
}
