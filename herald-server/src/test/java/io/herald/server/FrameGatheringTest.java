package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import io.herald.Meters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.ContextInternal;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The WebSocket side of {@link FrameWriter}: the frames a socket gets in one loop pass leave gathered
 * in one buffer and one flush, small and large frames keep their order, and a text reply or a close
 * written around the writer comes after the frames queued before it. One event loop, a real socket.
 */
class FrameGatheringTest {
    private Vertx vertx;
    private ContextInternal context;
    private FrameWriter writer;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CompletableFuture<WebSocketTransport> transport = new CompletableFuture<>();
    private WsClient client;
    private volatile io.vertx.core.http.ServerWebSocket socket;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(false));
        context = (ContextInternal) vertx.getOrCreateContext();
        writer = new FrameWriter(context.nettyEventLoop());
        Meters meters = new Meters(registry);
        CompletableFuture<HttpServer> listening = new CompletableFuture<>();
        context.runOnContext(v -> vertx.createHttpServer()
                .webSocketHandler(ws -> {
                    WebSocketTransport t = new WebSocketTransport(writer, 1 << 20, meters, "test");
                    t.attach(ws);
                    socket = ws;
                    transport.complete(t);
                })
                .listen(0, "127.0.0.1").onSuccess(listening::complete).onFailure(listening::completeExceptionally));
        int port = listening.get(10, TimeUnit.SECONDS).actualPort();
        client = WsClient.open(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/"), new WsClient());
        transport.get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private <T> T onLoop(Supplier<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        context.runOnContext(v -> f.complete(task.get()));
        return f.get(10, TimeUnit.SECONDS);
    }

    private static EncodedMessage text(String s) {
        return EncodedMessage.text(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void framesOfOnePassLeaveInOrderInOneFlushAndLargeOnesKeepTheirPlace() throws Exception {
        WebSocketTransport t = transport.join();
        String large = "L".repeat(5000);
        List<String> sent = List.of("a", "b", large, "c", "d");
        long before = onLoop(writer::flushes);
        context.runOnContext(v -> sent.forEach(m -> t.send(text(m))));
        assertThat(client.next(sent.size())).containsExactlyElementsOf(sent);
        assertThat(onLoop(writer::flushes) - before).as("one flush for the pass").isEqualTo(1);
    }

    @Test
    void aBurstPastTheFrameCapIsFlushedEveryCapFramesAndArrivesWhole() throws Exception {
        WebSocketTransport t = transport.join();
        int n = 3 * FrameWriter.MAX_UNFLUSHED_FRAMES + 5;
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add("m" + i);
        }
        long before = onLoop(writer::flushes);
        context.runOnContext(v -> sent.forEach(m -> t.send(text(m))));
        assertThat(client.next(n)).containsExactlyElementsOf(sent);
        assertThat(onLoop(writer::flushes) - before).isEqualTo(4);
    }

    @Test
    void aTextReplyAndACloseWrittenAroundTheWriterComeAfterTheFramesBeforeThem() throws Exception {
        WebSocketTransport t = transport.join();
        context.runOnContext(v -> {
            t.send(text("one"));
            t.send(text("two"));
            t.sendText("reply");
            t.send(text("three"));
            t.close(ErrorCode.OVERLOADED, "bye");
        });
        assertThat(client.next(4)).containsExactly("one", "two", "reply", "three");
        assertThat(client.awaitClose()).isEqualTo(ErrorCode.OVERLOADED.closeCode());
    }

    @Test
    void aCloseFromAnotherThreadStillComesAfterTheQueuedFrames() throws Exception {
        WebSocketTransport t = transport.join();
        CompletableFuture<Void> queued = new CompletableFuture<>();
        context.runOnContext(v -> {
            t.send(text("first"));
            t.send(text("second"));
            queued.complete(null);
            // held for the end of the pass, which this blocking wait delays past the close below
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        queued.get(10, TimeUnit.SECONDS);
        t.close(ErrorCode.OVERLOADED, "bye");
        assertThat(client.next(2)).containsExactly("first", "second");
        assertThat(client.awaitClose()).isEqualTo(ErrorCode.OVERLOADED.closeCode());
        assertThat(t.send(text("late"))).as("nothing is sent after close").isFalse();
    }

    @Test
    void aSendToASocketWhosePeerIsGoneIsRefusedWithoutCountingASlowConsumer() throws Exception {
        WebSocketTransport t = transport.join();
        client.close();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> socket.isClosed());
        assertThat(onLoop(() -> t.send(text("after the peer left")))).isFalse();
        assertThat(t.congested()).as("a closed socket is not congested, just closed").isFalse();
        assertThat(registry.find("herald.drops").tag("reason", "slow_consumer").counter())
                .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
    }
}
