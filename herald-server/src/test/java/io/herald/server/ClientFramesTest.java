package io.herald.server;

import static io.herald.server.TestServer.jwt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a client's own frames can make the server do, alike on every socket kind (broadcast and lanes
 * below Vert.x, rooms on Vert.x): answers count against the outbound limit and reading stops while a
 * socket is past it, text must be UTF-8 (1007), and the opening handshake is checked the same way.
 */
class ClientFramesTest {
    private static final int MAX_PENDING = 64 * 1024;
    /** Before the outbound limit held, a client that never read could make the server read this much and more. */
    private static final long FLOOD_CAP = 256L << 20;
    /** Loopback socket buffers on both sides plus the limit: far below the cap, far above what the limit lets in. */
    private static final long BOUNDED = 64L << 20;
    private static TestServer server;

    enum Kind {
        BROADCAST, LANE, ROOM;

        String path() {
            return switch (this) {
                case BROADCAST -> "/broadcast/v1/websocket?ws_ticket=" + server.ticket(jwt("u_frames", "org_frames", "viewer"));
                case LANE -> "/lanes/v1/websocket?token=" + jwt("u_frames", "org_frames");
                case ROOM -> "/parties/lobby/frames-" + System.nanoTime();
            };
        }
    }

    @BeforeAll
    static void start() {
        server = TestServer.start("""
                server:
                  maxPendingBytes: %d
                rooms:
                  bindings:
                    - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
                """.formatted(MAX_PENDING));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aClientThatPingsAndNeverReadsCanMakeTheServerHoldNoMoreThanItsLimit(Kind kind) throws Exception {
        byte[] ping = RawWebSocket.frame(0x9, new byte[125], true, true);
        byte[] chunk = new byte[ping.length * 512];
        for (int i = 0; i < 512; i++) {
            System.arraycopy(ping, 0, chunk, i * ping.length, ping.length);
        }
        try (RawWebSocket ws = RawWebSocket.open(server.port(), kind.path(), 4096)) {
            Flood flood = new Flood(ws, chunk);
            long written = flood.untilBlockedOrCap();
            assertThat(written).as("bytes of pings the server read from a client that never read its pongs")
                    .isLessThan(BOUNDED);

            // reading again, the client gets its answers and the socket works as before
            flood.stopAndDrain(ws);
            awaitPong(ws, "probe".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aLaneClientThatSendsBadFramesAndNeverReadsTheErrorsIsClosedWith1013() throws Exception {
        double before = server.counter("herald.drops", "primitive", "lanes", "reason", "slow_consumer");
        byte[] bad = RawWebSocket.frame(0x1, "x".getBytes(StandardCharsets.UTF_8), true, true);
        byte[] chunk = new byte[bad.length * 1024];
        for (int i = 0; i < 1024; i++) {
            System.arraycopy(bad, 0, chunk, i * bad.length, bad.length);
        }
        try (RawWebSocket ws = RawWebSocket.open(server.port(), Kind.LANE.path(), 4096)) {
            Flood flood = new Flood(ws, chunk);
            // the socket is closed once its errors pass the limit; what the client sends until the closing
            // handshake times out is read and dropped, never answered
            assertThat(flood.untilBlockedOrCap()).isLessThan(FLOOD_CAP);
            flood.stop.set(true);
            // 1013, or the connection cut when the closing handshake timed out: a client this far behind
            // may lose the close frame with the rest of what it never read
            assertThat(ws.readUntilClose()).isIn(1013, -1);
        }
        assertThat(server.counter("herald.drops", "primitive", "lanes", "reason", "slow_consumer")).isEqualTo(before + 1);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aTextFrameThatIsNotUtf8IsClosedWith1007(Kind kind) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), kind.path(), 0)) {
            ws.sendFrame(0x1, new byte[] {'a', (byte) 0xC3, 0x28}, true);
            assertThat(ws.readUntilClose()).isEqualTo(1007);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCharacterSplitAcrossFragmentsIsJoinedAndABrokenOneIsClosedWith1007(Kind kind) throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server.port(), kind.path(), 0)) {
            // "a€": the euro sign's three bytes straddle the two fragments
            ws.sendFragment(0x1, new byte[] {'a', (byte) 0xE2, (byte) 0x82}, false);
            ws.sendFragment(0x0, new byte[] {(byte) 0xAC}, true);
            awaitPong(ws, "still open".getBytes(StandardCharsets.UTF_8));

            ws.sendFragment(0x1, new byte[] {'a', (byte) 0xE2, (byte) 0x82}, false);
            ws.sendFragment(0x0, new byte[] {'A'}, true);
            assertThat(ws.readUntilClose()).isEqualTo(1007);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anUpgradeWithAnEmptyOrMalformedKeyIsRefusedWith400(Kind kind) {
        String fifteenBytes = Base64.getEncoder().encodeToString(new byte[15]);
        for (String key : new String[] {"", "  ", "not-base64-at-all!!!!!!!", fifteenBytes}) {
            RawWebSocket.Response r = RawWebSocket.upgrade(server.port(), kind.path(), "Sec-WebSocket-Key", key);
            assertThat(r.status()).as("%s key '%s'", kind, key).isEqualTo(400);
            assertThat(TestServer.json(r.body()).get("error").asText()).isEqualTo("bad_request");
        }
        String good = Base64.getEncoder().encodeToString(new byte[16]);
        assertThat(RawWebSocket.upgrade(server.port(), kind.path(), "Sec-WebSocket-Key", good).status()).isEqualTo(101);
    }

    /**
     * Pings with {@code payload} until its pong comes back, skipping older pongs, data frames and the
     * server's pings: a ping that arrives while the socket is past its limit is rightly left unanswered.
     */
    private static void awaitPong(RawWebSocket ws, byte[] payload) {
        ws.sendFrame(0x9, payload, true);
        for (int read = 1, timeouts = 0; ; read++) {
            RawWebSocket.Frame f;
            try {
                f = ws.readFrame();
            } catch (java.io.UncheckedIOException e) {
                assertThat(e.getCause()).isInstanceOf(java.net.SocketTimeoutException.class);
                assertThat(++timeouts).as("pings left unanswered on an idle socket").isLessThan(3);
                ws.sendFrame(0x9, payload, true);
                continue;
            }
            assertThat(f.opcode()).as("the socket was closed").isNotEqualTo(0x8);
            if (f.opcode() == 0xA && Arrays.equals(f.payload(), payload)) {
                return;
            }
            if (read % 4096 == 0) {
                ws.sendFrame(0x9, payload, true);
            }
        }
    }

    /** Writes the same chunk over and over from its own thread, counting the bytes the server took. */
    private static final class Flood {
        final AtomicLong written = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Flood(RawWebSocket ws, byte[] chunk) {
            thread = new Thread(() -> {
                try {
                    while (!stop.get() && written.get() < FLOOD_CAP) {
                        ws.send(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (RuntimeException e) {
                    // the server closed the connection: the flood is over
                }
            }, "flood");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * Waits until the writes stop moving (the server stopped reading and every buffer between is full)
         * or the cap is reached; returns the bytes written. A busy machine can only make this return early,
         * with fewer bytes, never pass a flood the server kept reading.
         */
        long untilBlockedOrCap() {
            long[] last = {-1};
            int[] still = {0};
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long now = written.get();
                still[0] = now == last[0] ? still[0] + 1 : 0;
                last[0] = now;
                return now >= FLOOD_CAP || !thread.isAlive() || still[0] >= 6;
            });
            return written.get();
        }

        /** Stops the flood and reads what the server sends until the writer, unblocked, has ended. */
        void stopAndDrain(RawWebSocket ws) throws InterruptedException {
            stop.set(true);
            while (thread.isAlive()) {
                try {
                    RawWebSocket.Frame f = ws.readFrame();
                    assertThat(f.opcode()).as("closed while draining: %s", Arrays.toString(f.payload())).isNotEqualTo(0x8);
                } catch (java.io.UncheckedIOException e) {
                    // nothing more to read for the socket timeout: the writer ended meanwhile, or it is checked again
                    assertThat(e.getCause()).isInstanceOf(java.net.SocketTimeoutException.class);
                }
            }
            thread.join();
        }
    }
}
