package io.herald.server.transport;

import io.herald.server.WsClient;
import io.herald.server.RawWebSocket;

import io.herald.server.TestServer;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.broadcast.BroadcastEvent;
import io.herald.broadcast.Target;
import io.herald.config.HeraldConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound byte limit of a socket: a consumer that stops reading is closed with 1013, the others
 * carry on; congestion is reported from half the limit, before the close.
 */
class WebSocketTransportTest {
    private static final int MAX_PENDING = 64 * 1024;
    private static final int MAX_EVENTS = 3000;
    private TestServer server;

    @BeforeEach
    void start() {
        HeraldConfig config = TestServer.config(null);
        server = TestServer.start(config.withServer(config.server().withMaxPendingBytes(MAX_PENDING)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int publish(int seq, String filler) {
        var payload = TestServer.JSON.createObjectNode().put("seq", seq).put("filler", filler);
        return server.herald().broadcast()
                .publish(new BroadcastEvent("bulk", payload, Target.organization("org_slow"), List.of()))
                .join().delivered();
    }

    private double slowConsumerDrops() {
        return server.counter("herald.drops", "primitive", "broadcast", "reason", "slow_consumer");
    }

    @Test
    void congestionStartsAboveHalfTheHighWaterMarkAndLastsUntilTheChannelIsWritableAgain() {
        // the water marks Vert.x's setWriteQueueMaxSize(1000) sets: writable again below 500, unwritable above 1000
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(500, 1000));
        try {
            // Netty counts a fixed overhead per queued message on top of its bytes: read the real total
            ch.write(Unpooled.wrappedBuffer(new byte[300]));
            assertThat(pending(ch)).isLessThanOrEqualTo(500);
            assertThat(WebSocketTransport.congested(ch)).as("%d pending", pending(ch)).isFalse();

            ch.write(Unpooled.wrappedBuffer(new byte[500 - (int) pending(ch) + 1]));
            assertThat(pending(ch)).isGreaterThan(500);
            assertThat(ch.isWritable()).as("still under the limit, where send would write").isTrue();
            assertThat(WebSocketTransport.congested(ch)).as("%d pending", pending(ch)).isTrue();

            ch.write(Unpooled.wrappedBuffer(new byte[600]));
            assertThat(ch.isWritable()).as("past the limit, where send closes").isFalse();
            assertThat(WebSocketTransport.congested(ch)).isTrue();

            ch.flush();
            assertThat(pending(ch)).isZero();
            assertThat(WebSocketTransport.congested(ch)).isFalse();
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static long pending(EmbeddedChannel ch) {
        return ch.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    @Test
    void slowSubscriberIsClosedWith1013WhileAFastOneReceivesEveryEvent() throws Exception {
        String ticket = server.ticket(jwt("u_slow", "org_slow", "viewer"));
        WsClient fast = server.member("u_fast", "org_slow", "viewer");
        try (RawWebSocket slow = RawWebSocket.open(server.port(), "/broadcast/v1/websocket?ws_ticket=" + ticket, 4096)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> server.gauge("herald.connections", "primitive", "broadcast") == 2);
            String filler = "x".repeat(32 * 1024);
            assertThat(publish(0, filler)).isEqualTo(2);
            assertThat(TestServer.json(fast.next()).get("payload").get("seq").asInt()).isZero();

            int seq = 1;
            while (slowConsumerDrops() == 0 && seq < MAX_EVENTS) {
                publish(seq, filler);
                // the fast client reads each event before the next is published, so its queue never builds up
                assertThat(TestServer.json(fast.next()).get("payload").get("seq").asInt()).isEqualTo(seq);
                seq++;
            }
            assertThat(slowConsumerDrops()).as("slow consumer dropped after %d events of 32 KiB", seq).isEqualTo(1);

            for (int i = 0; i < 5; i++, seq++) {
                assertThat(publish(seq, "after")).as("only the fast socket is left").isEqualTo(1);
                assertThat(TestServer.json(fast.next()).get("payload").get("seq").asInt()).isEqualTo(seq);
            }
            fast.assertNothingMore();
            assertThat(fast.isClosed()).isFalse();
            assertThat(slow.readUntilClose()).isEqualTo(1013);
        }

        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("herald_drops_total{primitive=\"broadcast\",reason=\"slow_consumer\"} 1.0");
    }
}
