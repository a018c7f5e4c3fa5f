package io.herald.bench.ceiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ceiling passes the behaviour checks of a relay room, in both flush modes, so that measuring Herald against it
 * compares like with like: the sender does not get its own message, text stays text and binary stays binary, the
 * publish endpoint reaches every socket, and a close frame is echoed.
 */
class RawFanoutServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What one client received, in order: "text:...", "binary:...", "close:code". */
    private static final class Received implements WebSocket.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final List<Byte> binary = new ArrayList<>();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                events.add("text:" + text);
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            while (data.hasRemaining()) {
                binary.add(data.get());
            }
            if (last) {
                byte[] bytes = new byte[binary.size()];
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = binary.get(i);
                }
                events.add("binary:" + new String(bytes, StandardCharsets.UTF_8));
                binary.clear();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            events.add("close:" + statusCode);
            return null;
        }

        String next() throws InterruptedException {
            String e = events.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(e).as("a message within %s", WAIT).isNotNull();
            return e;
        }
    }

    @ParameterizedTest(name = "coalesce={0}")
    @ValueSource(booleans = {true, false})
    void relaysLikeARelayRoom(boolean coalesce) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (RawFanoutServer server = RawFanoutServer.start("127.0.0.1", 0, 2, coalesce)) {
            URI ws = URI.create("ws://127.0.0.1:" + server.port() + "/parties/relay/r1");
            Received a = new Received();
            Received b = new Received();
            Received c = new Received();
            WebSocket wa = http.newWebSocketBuilder().buildAsync(ws, a).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            WebSocket wb = http.newWebSocketBuilder().buildAsync(ws, b).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            http.newWebSocketBuilder().buildAsync(ws, c).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // the handshake completes before the server adds the socket: wait until all three are in
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.sockets() < 3 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(server.sockets()).isEqualTo(3);

            wa.sendText("from a", true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(b.next()).isEqualTo("text:from a");
            assertThat(c.next()).isEqualTo("text:from a");

            wb.sendBinary(ByteBuffer.wrap("bytes from b".getBytes(StandardCharsets.UTF_8)), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            // a's first message is b's: its own text never came back to it
            assertThat(a.next()).isEqualTo("binary:bytes from b");
            assertThat(c.next()).isEqualTo("binary:bytes from b");

            HttpResponse<String> published = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(published.body()).isEqualTo("{\"delivered\":3}");
            for (Received r : List.of(a, b, c)) {
                assertThat(r.next()).isEqualTo("text:{\"n\":1}");
            }
            // b got nothing of its own binary message either
            assertThat(b.events).isEmpty();

            CompletableFuture<WebSocket> closed = wa.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(a.next()).as("the close frame echoed").isEqualTo("close:1000");
            assertThat(wb.isOutputClosed()).isFalse();
        }
    }
}
