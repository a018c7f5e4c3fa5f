package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.config.ServerConfig;
import io.herald.server.transport.VertxInternals;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code server.transport}: each transport the kernel allows serves a broadcast end to end (upgrade,
 * fan-out through the frame writer, close) on loops with Netty's end-of-pass hook, one it does not allow is
 * refused at start with the setting named, and {@code auto} takes epoll where it loads, else NIO.
 */
class TransportTest {
    private static final Map<String, Transport> TRANSPORTS = Map.of(
            "nio", Transport.NIO, "epoll", Transport.EPOLL, "io_uring", Transport.IO_URING);

    private static HeraldConfig config(String transport) {
        HeraldConfig c = TestServer.config(TestServer.STANDARD);
        return c.withServer(c.server().withTransport(transport));
    }

    private static boolean loads(String name) {
        Transport t = TRANSPORTS.get(name);
        return t != null && t.available();
    }

    @Test
    void theNamedTransportsAreTheOnesTested() {
        assertThat(ServerConfig.TRANSPORTS).containsExactly("auto", "nio", "epoll", "io_uring");
        assertThat(Transport.NIO.available()).as("NIO is always there").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void aNamedTransportServesABroadcastOrIsRefusedWithTheSettingNamed(String name) {
        if (!loads(name)) {
            assertThatThrownBy(() -> TestServer.start(config(name)))
                    .isInstanceOf(ConfigException.class).hasMessageStartingWith("server.transport:")
                    .hasMessageContaining("not available");
            return;
        }
        try (TestServer server = TestServer.start(config(name))) {
            assertThat(server.server().transport()).isEqualTo(name);
            WsClient member = server.member("u_t", "org_" + name, "viewer");
            for (int i = 0; i < 3; i++) {
                server.publishBroadcast("{\"event\":\"e" + i + "\",\"payload\":" + i + ",\"organizationId\":\"org_" + name + "\"}");
            }
            assertThat(member.next(3)).containsExactly(
                    "{\"type\":\"broadcast\",\"event\":\"e0\",\"payload\":0}",
                    "{\"type\":\"broadcast\",\"event\":\"e1\",\"payload\":1}",
                    "{\"type\":\"broadcast\",\"event\":\"e2\",\"payload\":2}");
        }
    }

    /** What the frame writer relies on to flush once per loop pass: without it every flush is a task of its own. */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "io_uring"})
    void everyLoopRunsATaskAtTheEndOfItsPass(String name) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(loads(name), name + " does not load here");
        Vertx vertx = Vertx.builder().withTransport(TRANSPORTS.get(name)).build();
        try {
            EventLoop loop = VertxInternals.eventLoop(vertx.getOrCreateContext());
            assertThat(loop).isInstanceOf(SingleThreadEventLoop.class);
            CompletableFuture<Boolean> ran = new CompletableFuture<>();
            SingleThreadEventLoop passes = (SingleThreadEventLoop) loop;
            loop.execute(() -> passes.executeAfterEventLoopIteration(() -> ran.complete(loop.inEventLoop())));
            assertThat(ran.get(10, TimeUnit.SECONDS)).as("ran on the loop").isTrue();
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void autoTakesEpollWhereItLoadsElseNioAndIoUringOnlyByName() {
        String expected = loads("epoll") ? "epoll" : "nio";
        try (TestServer server = TestServer.start(config("auto"))) {
            assertThat(server.server().transport()).isEqualTo(expected);
        }
    }
}
