package io.herald.server.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import io.herald.config.ChannelsConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A reader that stops reading is closed at the outbound byte limit; the others are not held back. */
class SseBackpressureTest {
    private static final int MAX_PENDING = 64 * 1024;
    private static final int EVENTS = 300;
    private static final String DATA = "x".repeat(32 * 1024);

    @TempDir
    Path dir;

    @Test
    void aSlowReaderIsClosedAtTheOutboundLimitWhileAFastReaderReceivesEverything() throws Exception {
        ChannelsConfig channels = ChannelServer.rules().withLimits(10, 30_000, 2, 60_000, 100);
        try (ChannelServer server = ChannelServer.start(ChannelServer.config(dir.resolve("herald.db"), channels,
                sc -> sc.withMaxPendingBytes(MAX_PENDING)));
             Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()));
            slow.getOutputStream().write(("GET /sse/pub:flood HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            List<Long> fastIds = new CopyOnWriteArrayList<>();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<InputStream> fast = http.send(HttpRequest.newBuilder(server.uri("/sse/pub:flood")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> readIds(fast.body(), fastIds), "fast-reader");
            reader.setDaemon(true);
            reader.start();
            SseStream.waiting().until(() -> server.subscribers() == 2);

            for (int i = 1; i <= EVENTS; i++) {
                // the fast reader stays within two events of the publisher, so only the slow one falls behind
                int sent = i - 1;
                SseStream.waiting().until(() -> fastIds.size() >= sent - 2);
                server.herald().channels().publish("pub:flood", "big", TextNode.valueOf(DATA)).join();
            }

            SseStream.waiting().until(() -> server.counter("herald.drops", "primitive", "channels", "reason", "slow_consumer") >= 1);
            SseStream.waiting().until(() -> server.subscribers() == 1);
            SseStream.waiting().until(() -> fastIds.size() == EVENTS);
            assertThat(fastIds).containsExactlyElementsOf(LongStream.rangeClosed(1, EVENTS).boxed().toList());
            assertThat(server.counter("herald.drops", "primitive", "channels", "reason", "slow_consumer")).isEqualTo(1);
            assertThat(readsToTheEnd(slow)).as("the slow reader's connection was closed by the server").isTrue();
            fast.body().close();
        }
    }

    private static void readIds(InputStream body, List<Long> ids) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("id: ")) {
                    ids.add(Long.parseLong(line.substring(4)));
                }
            }
        } catch (IOException e) {
            // closed at the end of the test
        }
    }

    /** Reads what the server managed to send; true when that ends in EOF or a reset rather than a timeout. */
    private static boolean readsToTheEnd(Socket s) throws IOException {
        s.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
        byte[] buf = new byte[64 * 1024];
        try {
            while (s.getInputStream().read(buf) >= 0) {
                // drain
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
