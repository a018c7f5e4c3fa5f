package io.herald.server.transport;

import io.herald.server.WsClient;

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
    /** Completed when the server side of the socket has ended. */
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setPreferNativeTransport(false));
        context = (ContextInternal) vertx.getOrCreateContext();
        writer = new FrameWriter(context.nettyEventLoop());
        Meters meters = new Meters(registry);
        // the socket is upgraded the way the server upgrades every socket: by DirectUpgrades, below Vert.x
        DirectUpgrades.Endpoint<String> endpoint = new DirectUpgrades.Endpoint<>() {
            @Override
            public java.util.concurrent.CompletionStage<String> admit(io.netty.handler.codec.http.QueryStringDecoder query,
                    io.netty.handler.codec.http.HttpRequest request, WebSocketTransport t) {
                return CompletableFuture.completedFuture("admitted");
            }

            @Override
            public void open(DirectWebSocket socket, String admission) {
                socket.onClosed(() -> closed.complete(null));
                transport.complete(socket.transport());
            }

            @Override
            public String primitive() {
                return "test";
            }

            @Override
            public int maxFrameBytes() {
                return 64 * 1024;
            }
        };
        DirectUpgrades direct = new DirectUpgrades(path -> endpoint, new Sockets(new java.util.concurrent.atomic.AtomicInteger(), 10, 30_000),
                writer, new io.herald.server.http.ErrorHandler(meters), 1 << 20, meters);
        CompletableFuture<HttpServer> listening = new CompletableFuture<>();
        // as the server sets it up: no WebSocket compression, so Vert.x adds no extension handler to the pipeline
        io.vertx.core.http.HttpServerOptions options = new io.vertx.core.http.HttpServerOptions()
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
        context.runOnContext(v -> vertx.createHttpServer(options)
                .requestHandler(r -> r.response().setStatusCode(404).end())
                .connectionHandler(conn -> direct.install(((io.vertx.core.net.impl.ConnectionBase) conn).channel().pipeline()))
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
        closed.get(20, TimeUnit.SECONDS);
        assertThat(onLoop(() -> t.send(text("after the peer left")))).isFalse();
        assertThat(t.congested()).as("a closed socket is not congested, just closed").isFalse();
        assertThat(registry.find("herald.drops").tag("reason", "slow_consumer").counter())
                .satisfiesAnyOf(c -> assertThat(c).isNull(), c -> assertThat(c.count()).isZero());
    }
}
