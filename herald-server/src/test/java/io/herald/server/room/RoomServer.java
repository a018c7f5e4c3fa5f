package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Herald;
import io.herald.config.DatasourceConfig;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.server.HeraldServer;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
import java.util.Locale;
import java.util.Map;

/**
 * A real Herald server with rooms bound, on 127.0.0.1 and an ephemeral port, for the room integration
 * tests: JWTs minted with its secret, room sockets opened with the JDK client, refused upgrades, and a
 * raw upgrade that reads the refusal's body. Closing it closes every socket it opened and the server.
 */
final class RoomServer implements AutoCloseable {
    static final String ACCESS_TOKEN = "room-tests-access-token-0123456789";
    static final String JWT_SECRET = "room-tests-jwt-secret-0123456789";

    private final HeraldServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RoomClient> clients = new ArrayList<>();

    private RoomServer(HeraldServer server) {
        this.server = server;
    }

    /** A configuration on loopback port 0 with the test secrets, storage in {@code storageFile}, and {@code rooms}. */
    static HeraldConfig config(Path storageFile, RoomsConfig rooms, Map<String, DatasourceConfig> datasources) {
        return TestServer.loopback(ACCESS_TOKEN, JWT_SECRET, storageFile)
                .withDatasources(datasources)
                .withRooms(rooms);
    }

    static RoomServer start(HeraldConfig config) {
        return new RoomServer(HeraldServer.start(config));
    }

    Herald herald() {
        return server.herald();
    }

    int port() {
        return server.port();
    }

    /** A session JWT, valid for an hour, of {@code userId} with roles per org and optional extra claims. */
    static String jwt(String userId, Map<String, List<String>> orgs, Map<String, Object> extra) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", userId);
        claims.put("orgs", orgs);
        claims.putAll(extra);
        return TestServer.signForAnHour(JWT_SECRET, claims);
    }

    /** A JWT of {@code userId} in the one org {@code org}. */
    static String jwt(String userId, String org) {
        return jwt(userId, Map.of(org, List.of("member")), Map.of());
    }

    /** Opens a room socket (the upgrade must succeed): onConnect has run when this returns. */
    RoomClient connect(String pathAndQuery) {
        RoomClient client = WsClient.open(http, ws(pathAndQuery), new RoomClient());
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** Attempts an upgrade that must be refused and returns the HTTP status of the refusal. */
    int refusedStatus(String pathAndQuery) {
        return WsClient.refused(http, ws(pathAndQuery)).getResponse().statusCode();
    }

    /** An HTTP response read off a raw socket. */
    record Raw(int status, Map<String, String> headers, String body) {
    }

    /** Sends a WebSocket upgrade over a plain socket (any path bytes, any headers) and reads the response. */
    Raw rawUpgrade(String rawPathAndQuery, String... headers) {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
            StringBuilder req = new StringBuilder("GET ").append(rawPathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(port()).append("\r\n")
                    .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            OutputStream out = s.getOutputStream();
            out.write(req.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readResponse(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Opens {@code rawPathAndQuery} over a plain socket, sends one unfragmented, masked frame of
     * {@code opcode} (1 text, 2 binary) carrying {@code payload}, and returns the code of the close frame
     * the server answers with (frames before it are skipped); -1 when the connection ends without one.
     */
    int rawFrameCloseCode(String rawPathAndQuery, int opcode, byte[] payload) {
        try (Socket s = new Socket()) {
            s.setSoTimeout(10_000);
            s.connect(new InetSocketAddress("127.0.0.1", port()), 5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + rawPathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port() + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertThat(readResponse(in).status()).isEqualTo(101);
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x80 | opcode);
            // the minimal length encoding (RFC 6455 §5.2): any other is a protocol error (1002) before the payload counts
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else if (payload.length <= 0xffff) {
                frame.write(0x80 | 126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length & 0xff);
            } else {
                frame.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    frame.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
                }
            }
            byte[] mask = {1, 2, 3, 4};
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            out.write(frame.toByteArray());
            out.flush();
            while (true) {
                int b0 = in.read();
                int b1 = in.read();
                if (b0 < 0 || b1 < 0) {
                    return -1;
                }
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = (in.read() << 8) | in.read();
                } else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) {
                        len = (len << 8) | in.read();
                    }
                }
                if ((b0 & 0x0f) == 0x8) {
                    return len >= 2 ? (in.read() << 8) | in.read() : 1005;
                }
                in.skipNBytes(len);
            }
        } catch (java.net.SocketException | EOFException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Raw readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed in the response head: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        String length = headers.get("content-length");
        String body = status == 101 || length == null ? "" : RoomClient.utf8(in.readNBytes(Integer.parseInt(length)));
        return new Raw(status, headers, body);
    }

    /** A plain HTTP request (no upgrade). */
    HttpResponse<String> http(String method, String pathAndQuery, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return TestServer.send(http, b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A Broadcast ws_ticket for the session {@code jwt}. */
    String wsTicket(String jwt) {
        HttpResponse<String> r = http("POST", "/broadcast/v1/ws-ticket", null, "Authorization", "Bearer " + jwt);
        assertThat(r.statusCode()).as("ticket response %s", r.body()).isEqualTo(200);
        return TestServer.json(r.body()).get("wsTicket").asText();
    }

    private URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + port() + pathAndQuery);
    }

    /** Closes the sockets opened so far (between tests). */
    void closeClients() {
        synchronized (clients) {
            clients.forEach(RoomClient::close);
            clients.clear();
        }
    }

    @Override
    public void close() {
        closeClients();
        server.close();
    }
}
