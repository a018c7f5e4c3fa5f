package io.herald.server.channel;

import static io.herald.server.channel.ChannelServer.frame;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import io.herald.Herald;
import io.herald.server.transport.FrameWriter;
import io.herald.server.transport.LivenessSweep;
import io.herald.server.transport.SseTransport;
import io.herald.server.transport.VertxInternals;
import io.herald.server.http.JsonBodies;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.internal.ContextInternal;
import io.vertx.ext.web.Router;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP/1.1 stream's events go through its loop's {@link FrameWriter}: a burst of events leaves in
 * one flush, as chunks behind the head Vert.x wrote, on a connection Vert.x no longer holds.
 * The edge is built here on one event loop (the server's router, reduced to the stream route), so the
 * test can queue the burst's fan-out tasks on that loop and read the writer's flush counter.
 */
class SseCoalescingTest {
    private static final int EVENTS = 200;

    @TempDir
    Path dir;
    private Herald herald;
    private Vertx vertx;
    private ContextInternal context;
    private FrameWriter writer;
    private final List<HttpConnection> connections = new CopyOnWriteArrayList<>();
    private int port;

    @BeforeEach
    void start() throws Exception {
        herald = Herald.create(ChannelServer.config(dir.resolve("herald.db"), ChannelServer.rules()));
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(false));
        context = (ContextInternal) vertx.getOrCreateContext();
        writer = new FrameWriter(context.nettyEventLoop());
        LivenessSweep<SseTransport> keepalives = SseTransport.keepalives(herald.config().channels().heartbeatMs());
        context.runOnContext(v -> keepalives.start(vertx));
        ChannelsHandler channels = new ChannelsHandler(herald, writer, keepalives, new JsonBodies());
        Router router = Router.router(vertx);
        router.get("/sse/*").handler(ctx -> {
            connections.add(ctx.request().connection());
            channels.subscribe(ctx, "/sse/");
        });
        CompletableFuture<HttpServer> listening = new CompletableFuture<>();
        context.runOnContext(v -> vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .onSuccess(listening::complete).onFailure(listening::completeExceptionally));
        port = listening.get(10, TimeUnit.SECONDS).actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        herald.close();
    }

    /** Runs {@code task} on the loop and waits for its result. */
    private <T> T onLoop(Supplier<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        context.runOnContext(v -> f.complete(task.get()));
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBurstOfEventsIsFlushedOnceAsChunksBehindTheHeadOnAConnectionVertxNoLongerHolds() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /sse/pub:burst HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(head.toLowerCase(Locale.ROOT)).contains("transfer-encoding: chunked\r\n")
                    .contains("content-type: text/event-stream\r\n").doesNotContain("content-length");
            assertThat(readChunk(in)).as("the first chunk").isEqualTo(": connected\n\n");
            long flushesBefore = onLoop(writer::flushes);
            assertThat(flushesBefore).as("': connected' went through the writer").isEqualTo(1);

            // published on the stream's loop: the hub queues one fan-out task per event there, all of them before
            // the first runs, as under load; the writer flushes at the end of the pass, or each 64 frames
            context.runOnContext(v -> {
                for (int i = 1; i <= EVENTS; i++) {
                    herald.channels().publish("pub:burst", "e" + i, IntNode.valueOf(i));
                }
            });
            for (int i = 1; i <= EVENTS; i++) {
                assertThat(readChunk(in)).as("chunk of event %d", i).isEqualTo(frame(i));
            }
            long flushes = onLoop(writer::flushes) - flushesBefore;
            int capped = (EVENTS + FrameWriter.MAX_UNFLUSHED_FRAMES - 1) / FrameWriter.MAX_UNFLUSHED_FRAMES;
            assertThat(flushes).as("flushes for %d events", EVENTS).isLessThan(EVENTS).isEqualTo(capped);

            // the stream's connection left Vert.x after the head: its handler and the HTTP codec are gone
            List<String> handlers = onLoop(() -> VertxInternals.pipeline(connections.get(0)).names());
            assertThat(handlers).as("the pipeline %s", handlers).contains("herald-sse")
                    .doesNotContain("handler", "herald-upgrades", "herald-guard", "httpDecoder", "httpEncoder", "chunkedWriter");
        }
    }

    @Test
    void aFanOutQueuedWhileThePassRunsLeavesInTheSameFlush() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /sse/pub:late HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            readHead(in);
            assertThat(readChunk(in)).isEqualTo(": connected\n\n");
            long flushesBefore = onLoop(writer::flushes);

            // the second publish is queued behind the first fan-out, so its fan-out task arrives after the first
            // write of the pass, as a publish from another loop does under load
            context.runOnContext(v -> {
                herald.channels().publish("pub:late", "e1", IntNode.valueOf(1));
                context.runOnContext(w -> herald.channels().publish("pub:late", "e2", IntNode.valueOf(2)));
            });
            assertThat(readChunk(in)).isEqualTo(frame(1));
            assertThat(readChunk(in)).isEqualTo(frame(2));
            assertThat(onLoop(writer::flushes) - flushesBefore).as("one flush for both fan-outs").isEqualTo(1);
        }
    }

    @Test
    void aStreamOverHttp10IsWrittenThroughVertxWithoutChunks() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /sse/pub:old HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.0 200 OK\r\n");
            assertThat(head.toLowerCase(Locale.ROOT)).doesNotContain("transfer-encoding");
            assertThat(readExactly(in, ": connected\n\n".length())).isEqualTo(": connected\n\n");
            herald.channels().publish("pub:old", "e1", IntNode.valueOf(1)).join();
            assertThat(readExactly(in, frame(1).length())).isEqualTo(frame(1));
            assertThat(onLoop(writer::flushes)).as("nothing went through the writer").isZero();
        }
    }

    @Test
    void aStreamOverHttp2IsWrittenThroughVertx() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sse/pub:h2"))
                .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            assertThat(r.version()).as("upgraded to h2c").isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(readExactly(in, ": connected\n\n".length())).isEqualTo(": connected\n\n");
            herald.channels().publish("pub:h2", "e1", IntNode.valueOf(1)).join();
            assertThat(readExactly(in, frame(1).length())).isEqualTo(frame(1));
            assertThat(onLoop(writer::flushes)).as("nothing went through the writer").isZero();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            head.append(line).append("\r\n");
        }
        return head.toString();
    }

    /** One chunk's data (empty for the last chunk), checking its framing. */
    private static String readChunk(InputStream in) throws IOException {
        int size = Integer.parseInt(readLine(in), 16);
        String data = readExactly(in, size);
        if (size > 0) {
            assertThat(readLine(in)).as("CRLF after the chunk data").isEmpty();
        }
        return data;
    }

    private static String readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        assertThat(b).as("bytes before the end of the stream").hasSize(n);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** A line ended by CRLF, without it. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            assertThat(c).as("a byte before the end of the stream").isNotNegative();
            line.write(c);
        }
        byte[] b = line.toByteArray();
        assertThat(b).as("a CRLF-terminated line").isNotEmpty();
        assertThat(b[b.length - 1]).isEqualTo((byte) '\r');
        return new String(b, 0, b.length - 1, StandardCharsets.ISO_8859_1);
    }
}
