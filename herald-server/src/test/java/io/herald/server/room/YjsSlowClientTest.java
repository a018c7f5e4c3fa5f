package io.herald.server.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import io.herald.config.RoomsConfig.Access;
import io.herald.config.RoomsConfig.Binding;
import io.herald.room.builtin.YjsRoom;
import io.herald.server.RawWebSocket;
import io.herald.server.RawWebSocket.Frame;
import io.herald.yjs.Lib0Decoder;
import io.herald.yjs.Lib0Encoder;
import io.herald.yjs.Yjs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Yjs room on a real server with a small outbound limit ({@code server.maxPendingBytes}): a client
 * that stops reading is left out of the relay rather than closed with 1013, and when it reads again it
 * is caught up with one diff; a client that keeps up gets every update as before; one burst past the
 * limit still closes a socket with 1013.
 */
class YjsSlowClientTest {
    private static final int MAX_PENDING = 32 * 1024;
    private static final int CHUNK = 4000;
    private static final long WRITER = 99;
    private static final HexFormat HEX = HexFormat.of();
    private static final Yjs YJS = Yjs.withDefaults();

    @TempDir
    static Path dir;
    private static RoomServer server;

    @BeforeAll
    static void start() {
        RoomsConfig rooms = RoomsConfig.defaults()
                .withBindings(List.of(new Binding("YJS", YjsRoom.class.getName(), Access.PUBLIC)))
                .withLimits(RoomsConfig.DEFAULT_MAX_CONNECTIONS_PER_ROOM, RoomsConfig.DEFAULT_MAX_MESSAGE_BYTES,
                        100_000, 100_000);
        HeraldConfig config = RoomServer.config(dir.resolve("herald.db"), rooms, Map.of());
        // the slow client reads nothing for as long as the writer needs to fill its buffers, which on a busy
        // machine has passed the default 25 s ping interval: it could not answer, and would be closed as dead
        server = RoomServer.start(config.withServer(config.server().withMaxPendingBytes(MAX_PENDING).withPingIntervalMs(600_000)));
    }

    @AfterEach
    void closeClients() {
        server.closeClients();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientThatStopsReadingStaysOpenAndIsCaughtUpWithTheWholeDocumentWhenItReadsAgain() throws Exception {
        double catchUpsBefore = counter("herald.yjs.catchups");
        double dropsBefore = slowConsumerDrops();
        long t0 = System.nanoTime();
        try (RawWebSocket slow = RawWebSocket.open(server.port(), "/parties/yjs/slow", 4096)) {
            List<byte[]> received = new ArrayList<>();
            handshake(slow, received);
            RoomClient writer = server.connect("/parties/yjs/slow");
            assertThat(writer.next()).as("the writer's step 1").isEqualTo("binary:0000" + "0100");

            // The slow client reads nothing from here on; the writer reads each echo, so only the slow socket
            // backs up. Once the kernel's buffers are full, a relay reaches the writer alone: one delivery, not two.
            double deliveries = counter("herald.deliveries", "primitive", "rooms");
            int updates = 0;
            long sentBeforeLeftOut = 0;
            while (counter("herald.deliveries", "primitive", "rooms") - deliveries == 2.0 * updates
                    && slowConsumerDrops() == dropsBefore) {
                byte[] frame = update(appended(WRITER, (long) updates * CHUNK, CHUNK));
                writer.sendBinary(frame);
                assertThat(writer.next()).isEqualTo("binary:" + HEX.formatHex(frame));
                updates++;
                sentBeforeLeftOut += frame.length;
                int n = updates;
                // the echo may overtake the count of its relay, which is either 2 (both) or 1 (the writer alone)
                await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(5))
                        .until(() -> counter("herald.deliveries", "primitive", "rooms") - deliveries >= 2.0 * n - 1);
                assertThat(sentBeforeLeftOut).as("left out well before the document limit").isLessThan(8L * 1024 * 1024);
            }
            long sent = 0;
            int more = 30 * MAX_PENDING / CHUNK;
            for (int i = 0; i < more; i++, updates++) {
                byte[] frame = update(appended(WRITER, (long) updates * CHUNK, CHUNK));
                writer.sendBinary(frame);
                assertThat(writer.next()).isEqualTo("binary:" + HEX.formatHex(frame));
                sent += frame.length;
            }
            byte[] awareness = awareness(WRITER, 1, "{\"name\":\"writer\"}");
            writer.sendBinary(awareness);
            assertThat(writer.next()).isEqualTo("binary:" + HEX.formatHex(awareness));
            assertThat(sent).as("after it was left out, the writer sent far more than the outbound limit")
                    .isGreaterThanOrEqualTo(30L * MAX_PENDING - CHUNK);
            assertThat(slowConsumerDrops()).as("slow consumers closed").isEqualTo(dropsBefore);
            assertThat(server.herald().meters().registry().find("herald.connections").tags("primitive", "rooms")
                    .gauge().value()).as("both sockets still open (%d s)", (System.nanoTime() - t0) / 1_000_000_000).isEqualTo(2);

            // reading again: what arrives, merged, must cover the whole document, and the awareness must come
            long end = (long) updates * CHUNK;
            int updateFrames = 0;
            boolean reachedEnd = false;
            boolean sawWriter = false;
            while (!sawWriter || !reachedEnd) {
                Frame f = slow.readDataFrame();
                assertThat(f.opcode()).as("a binary frame, not a close").isEqualTo(2);
                Lib0Decoder r = new Lib0Decoder(f.payload(), YJS.limits());
                long type = r.readVarUint();
                if (type == 0 && r.readVarUint() == 2) {
                    byte[] u = r.readVarUint8Array();
                    received.add(u);
                    updateFrames++;
                    reachedEnd |= YJS.decode(u).structs().stream().anyMatch(st -> st.end() == end);
                } else if (type == 1) {
                    sawWriter |= new String(f.payload(), StandardCharsets.UTF_8).contains("\"writer\"");
                }
            }
            byte[] clientSv = YJS.stateVectorFromUpdate(YJS.merge(received));
            assertThat(clientSv).as("the client's state vector").isEqualTo(stateVector(WRITER, end));
            assertThat(updateFrames).as("updates left out were sent as one diff").isLessThan(updates);
            assertThat(counter("herald.yjs.catchups") - catchUpsBefore).isGreaterThanOrEqualTo(1);
            assertThat(YJS.decode(YJS.diff(mergedServerDocument(updates), clientSv)).structs())
                    .as("what the server has that the client lacks").isEmpty();

            // still open, and in sync: its step 1 is answered
            slow.sendBinary(step1(clientSv));
            Frame answer = slow.readDataFrame();
            assertThat(HEX.formatHex(answer.payload())).startsWith("0001");
            assertThat(slowConsumerDrops()).as("slow consumers closed").isEqualTo(dropsBefore);
        }
    }

    @Test
    void aClientThatKeepsUpGetsEveryUpdateAsItsOwnFrameAndNoCatchUp() {
        double catchUpsBefore = counter("herald.yjs.catchups");
        RoomClient writer = server.connect("/parties/yjs/fast");
        RoomClient reader = server.connect("/parties/yjs/fast");
        writer.next();
        reader.next();
        for (int i = 0; i < 200; i++) {
            byte[] frame = update(appended(WRITER, (long) i * 10, 10));
            writer.sendBinary(frame);
            String expected = "binary:" + HEX.formatHex(frame);
            assertThat(writer.next()).isEqualTo(expected);
            assertThat(reader.next()).isEqualTo(expected);
        }
        reader.assertNothingMore();
        assertThat(counter("herald.yjs.catchups")).isEqualTo(catchUpsBefore);
    }

    @Test
    void aBurstPastTheOutboundLimitLeavesTheSocketOpenAndUnreadUntilItReadsAgain() throws Exception {
        double dropsBefore = slowConsumerDrops();
        try (RawWebSocket slow = RawWebSocket.open(server.port(), "/parties/yjs/burst", 4096)) {
            List<byte[]> received = new ArrayList<>();
            handshake(slow, received);
            RoomClient writer = server.connect("/parties/yjs/burst");
            writer.next();
            // each update is larger than the whole limit: the first relays overflow the socket, the rest leave it
            // out. What the slow client sends meanwhile (awareness queries) waits unread in its own buffers: a
            // socket past its limit is not read, so it cannot make the server answer it without bound.
            int chunk = 2 * MAX_PENDING;
            int updates = 20;
            for (int i = 0; i < updates; i++) {
                byte[] frame = update(appended(WRITER, (long) i * chunk, chunk));
                writer.sendBinary(frame);
                assertThat(writer.next()).isEqualTo("binary:" + HEX.formatHex(frame));
                slow.sendBinary(new byte[] {3});
            }

            // reading again: caught up with the whole document, its queries read, and still in sync
            long end = (long) updates * chunk;
            boolean reachedEnd = false;
            while (!reachedEnd) {
                Frame f = slow.readFrame();
                if (f.opcode() == 0x9 || f.opcode() == 0xA) {
                    continue;
                }
                assertThat(f.opcode()).as("a binary frame, not a close").isEqualTo(2);
                Lib0Decoder r = new Lib0Decoder(f.payload(), YJS.limits());
                if (r.readVarUint() == 0 && r.readVarUint() == 2) {
                    byte[] u = r.readVarUint8Array();
                    received.add(u);
                    reachedEnd = YJS.decode(u).structs().stream().anyMatch(st -> st.end() == end);
                }
            }
            byte[] clientSv = YJS.stateVectorFromUpdate(YJS.merge(received));
            assertThat(clientSv).as("the client's state vector").isEqualTo(stateVector(WRITER, end));
            slow.sendBinary(step1(clientSv));
            while (true) {
                Frame f = slow.readFrame();
                assertThat(f.opcode()).as("not closed").isNotEqualTo(0x8);
                if (f.opcode() == 2 && HEX.formatHex(f.payload()).startsWith("0001")) {
                    break;
                }
            }
            assertThat(slowConsumerDrops()).as("slow consumers closed").isEqualTo(dropsBefore);
        }
    }

    /** Reads the room's step 1, sends an empty step 1 and reads up to its step 2, whose payload goes to {@code received}. */
    private static void handshake(RawWebSocket s, List<byte[]> received) {
        assertThat(HEX.formatHex(s.readDataFrame().payload())).as("the room's step 1").isEqualTo("00000100");
        s.sendBinary(step1(new byte[] {0}));
        Frame step2 = s.readDataFrame();
        assertThat(HEX.formatHex(step2.payload())).startsWith("0001");
        Lib0Decoder r = new Lib0Decoder(step2.payload(), YJS.limits());
        r.readVarUint();
        r.readVarUint();
        received.add(r.readVarUint8Array());
    }

    private double slowConsumerDrops() {
        return counter("herald.drops", "primitive", "rooms", "reason", "slow_consumer");
    }

    private double counter(String name, String... tags) {
        var c = server.herald().meters().registry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    /** The writer's document: every chunk it appended, merged. */
    private static byte[] mergedServerDocument(int updates) {
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < updates; i++) {
            all.add(appended(WRITER, (long) i * CHUNK, CHUNK));
        }
        return YJS.merge(all);
    }

    private static byte[] stateVector(long client, long clock) {
        return YJS.encodeStateVector(Map.of(client, clock));
    }

    /**
     * A Yjs v1 update appending {@code length} ASCII characters to the Y.Text "text" as {@code client} at
     * {@code clock}: one Item with String content, parented to the root the first time, after the
     * client's previous character afterwards (spec yjs-update-format), and an empty delete set.
     */
    private static byte[] appended(long client, long clock, int length) {
        Lib0Encoder u = new Lib0Encoder();
        u.writeVarUint(1);
        u.writeVarUint(1);
        u.writeVarUint(client);
        u.writeVarUint(clock);
        if (clock == 0) {
            u.writeUint8(0x04);
            u.writeVarUint(1);
            u.writeVarString("text");
        } else {
            u.writeUint8(0x84);
            u.writeVarUint(client);
            u.writeVarUint(clock - 1);
        }
        u.writeVarString("y".repeat(length));
        u.writeVarUint(0);
        return u.toByteArray();
    }

    /** A y-websocket sync frame: message type 0, the sync step, then the payload with its length. */
    private static byte[] sync(int step, byte[] payload) {
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(0);
        e.writeVarUint(step);
        e.writeVarUint8Array(payload);
        return e.toByteArray();
    }

    private static byte[] update(byte[] update) {
        return sync(2, update);
    }

    private static byte[] step1(byte[] stateVector) {
        return sync(0, stateVector);
    }

    private static byte[] awareness(long client, long clock, String state) {
        Lib0Encoder u = new Lib0Encoder();
        u.writeVarUint(1);
        u.writeVarUint(client);
        u.writeVarUint(clock);
        u.writeVarString(state);
        Lib0Encoder e = new Lib0Encoder();
        e.writeVarUint(1);
        e.writeVarUint8Array(u.toByteArray());
        return e.toByteArray();
    }
}
