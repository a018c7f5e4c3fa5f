package io.herald.server.transport;


import static io.herald.server.transport.ClientFrame.BINARY;
import static io.herald.server.transport.ClientFrame.CLOSE;
import static io.herald.server.transport.ClientFrame.CONTINUATION;
import static io.herald.server.transport.ClientFrame.PING;
import static io.herald.server.transport.ClientFrame.PONG;
import static io.herald.server.transport.ClientFrame.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import io.herald.server.transport.ClientFrame.ServerFrame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random client frames through the real WebSocket pipeline of broadcast and lane sockets (Netty's
 * decoder, encoder and aggregator plus {@link DirectWebSocket}, installed by {@link DirectUpgrades} on an
 * embedded channel): valid traffic is delivered and answered, every protocol violation ends the
 * connection with one close frame whose code is in the error table, nothing escapes as an exception,
 * and no buffer is retained past its use or leaked.
 *
 * <p>Leaks are found without Netty's leak detector: its reports come only after a GC, on some later
 * allocation, and its paranoid level triples the run time. Instead every buffer the channel is handed or
 * allocates comes from a tracking allocator ({@link EmbeddedDirectSocket}), and each must have been
 * released once the connection is closed.
 */
class WebSocketFramePropertiesTest {
    static final int MAX_FRAME = 1024;
    /** The close codes the error table allows for a client's bad frames: protocol error, bad UTF-8, too big. */
    static final Set<Integer> REFUSALS = Set.of(1002, 1007, 1009);

    /** A message sent in fragments, with pings and pongs between them. */
    record Message(int opcode, byte[] payload, List<Integer> cuts, List<byte[]> controls) {
        List<ClientFrame> frames() {
            List<ClientFrame> frames = new ArrayList<>();
            List<Integer> at = cuts.stream().map(c -> c % (payload.length + 1)).sorted().toList();
            int from = 0;
            for (int i = 0; i <= at.size(); i++) {
                int to = i < at.size() ? at.get(i) : payload.length;
                byte[] part = java.util.Arrays.copyOfRange(payload, from, to);
                boolean last = i == at.size();
                frames.add(new ClientFrame(last, 0, i == 0 ? opcode : CONTINUATION, true, 0x1234_5678 * (i + 1), part, 0));
                if (i < controls.size()) {
                    frames.add(ClientFrame.of(i % 2 == 0 ? PING : PONG, controls.get(i)));
                }
                from = to;
            }
            return frames;
        }
    }

    @Provide
    Arbitrary<List<ClientFrame>> validTraffic() {
        Arbitrary<byte[]> text = Arbitraries.strings().ofMaxLength(300).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(MAX_FRAME);
        Arbitrary<Message> messages = Combinators.combine(
                Arbitraries.of(TEXT, BINARY).flatMap(op -> (op == TEXT ? text : binary).map(p -> Tuple.of(op, p))),
                Arbitraries.integers().between(0, MAX_FRAME).list().ofMaxSize(3),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(125).list().ofMaxSize(3))
                .as((t, cuts, controls) -> new Message(t.get1(), t.get2(), cuts, controls));
        Arbitrary<List<ClientFrame>> close = Arbitraries.oneOf(
                Arbitraries.just(List.of()),
                Arbitraries.just(List.of(ClientFrame.of(CLOSE, new byte[0]))),
                Combinators.combine(Arbitraries.of(1000, 1001, 1003, 1008, 1011, 3000, 4999), Arbitraries.strings().ofMaxLength(40))
                        .as((code, reason) -> List.of(ClientFrame.of(CLOSE, ClientFrame.closeBody(code,
                                reason.getBytes(StandardCharsets.UTF_8)))))
                        .filter(l -> l.get(0).payload().length <= 125));
        return Combinators.combine(messages.list().ofMaxSize(6), close).as((ms, c) -> {
            List<ClientFrame> frames = new ArrayList<>();
            ms.forEach(m -> frames.addAll(m.frames()));
            frames.addAll(c);
            return frames;
        });
    }

    @Provide
    Arbitrary<List<ClientFrame>> anyFrames() {
        return ClientFrame.sequences(MAX_FRAME);
    }

    @Provide
    Arbitrary<List<Integer>> chunks() {
        return Arbitraries.integers().between(1, 400).list().ofMaxSize(12);
    }

    @Property(tries = 10000)
    void validTrafficIsDeliveredWholeAndPingsAnsweredWithoutClosingOrRetainingBytes(
            @ForAll("validTraffic") List<ClientFrame> frames, @ForAll("chunks") List<Integer> chunks, @ForAll boolean joined) {
        EmbeddedDirectSocket ws = new EmbeddedDirectSocket(MAX_FRAME, joined ? MAX_FRAME : 0);
        feedInChunks(ws, ClientFrame.encode(frames), chunks);
        List<ServerFrame> out = ws.serverFrames();
        ClientFrame close = frames.stream().filter(f -> f.opcode() == CLOSE).findFirst().orElse(null);

        assertThat(concat(ws.delivered)).isEqualTo(concat(frames.stream().filter(f -> !f.isControl()).map(ClientFrame::payload).toList()));
        assertThat(out.stream().filter(f -> f.opcode() == PONG).map(ServerFrame::payload).toList())
                .containsExactlyElementsOf(frames.stream().filter(f -> f.opcode() == PING).map(ClientFrame::payload).toList());
        if (close == null) {
            assertThat(out).noneMatch(f -> f.opcode() == CLOSE);
            assertThat(ws.isOpen()).isTrue();
            assertThat(ws.retainedBytes()).as("bytes the channel holds after whole frames").isZero();
        } else {
            assertThat(out).filteredOn(f -> f.opcode() == CLOSE).singleElement()
                    .extracting(ServerFrame::closeCode).isEqualTo(close.payload().length == 0 ? -1 : ClientFrame.closeCodeOf(close));
            assertThat(ws.isOpen()).isFalse();
        }
        assertThat(ws.closeAndCountLeaks()).as("buffers never released").isZero();
    }

    @Property(tries = 10000)
    void anyFramesEitherKeepTheSocketOpenOrCloseItWithOneCodeFromTheErrorTable(
            @ForAll("anyFrames") List<ClientFrame> frames, @ForAll("chunks") List<Integer> chunks, @ForAll boolean joined) {
        EmbeddedDirectSocket ws = new EmbeddedDirectSocket(MAX_FRAME, joined ? MAX_FRAME : 0);
        feedInChunks(ws, ClientFrame.encode(frames), chunks);
        ws.advance(DirectWebSocket.CLOSING_TIMEOUT_MS + 1);
        FrameModel.Verdict expected = FrameModel.judge(frames, MAX_FRAME, joined ? MAX_FRAME : 0);
        List<ServerFrame> closes = ws.serverFrames().stream().filter(f -> f.opcode() == CLOSE).toList();

        assertThat(closes).as("close frames sent").hasSizeLessThanOrEqualTo(1);
        if (!ws.isOpen() && expected.kind() != FrameModel.Kind.BAD_CLOSE) {
            assertThat(closes).as("a connection is never cut without a close frame").hasSize(1);
        }
        Integer code = closes.isEmpty() ? null : closes.get(0).closeCode();
        if (expected.badUtf8Before() && code != null && code == 1007) {
            // invalid UTF-8 in a text message: closing with 1007 is right (the table's invalid_text)
            assertThat(ws.isOpen()).isFalse();
        } else {
            switch (expected.kind()) {
                case OPEN -> {
                    assertThat(closes).isEmpty();
                    assertThat(ws.isOpen()).isTrue();
                }
                case ECHO -> {
                    assertThat(code).isEqualTo(expected.echoCode());
                    assertThat(ws.isOpen()).isFalse();
                }
                case VIOLATION -> {
                    assertThat(code).isIn(REFUSALS);
                    assertThat(ws.isOpen()).isFalse();
                }
                case BAD_CLOSE -> {
                    if (code != null) {
                        assertThat(code).isIn(REFUSALS);
                    }
                    assertThat(ws.isOpen()).isFalse();
                }
            }
        }
        assertThat(ws.closeAndCountLeaks()).as("buffers never released").isZero();
    }

    @Property(tries = 10000)
    void arbitraryBytesNeverThrowNorLeakAndEndOnlyWithARefusalCode(
            @ForAll("anyFrames") List<ClientFrame> frames, @ForAll byte[] noise, @ForAll int noiseAt,
            @ForAll("chunks") List<Integer> chunks, @ForAll boolean joined) {
        byte[] clean = ClientFrame.encode(frames);
        int at = Math.floorMod(noiseAt, clean.length + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(clean, 0, at);
        bytes.writeBytes(noise);
        EmbeddedDirectSocket ws = new EmbeddedDirectSocket(MAX_FRAME, joined ? MAX_FRAME : 0);
        feedInChunks(ws, bytes.toByteArray(), chunks);
        ws.advance(DirectWebSocket.CLOSING_TIMEOUT_MS + 1);
        List<ServerFrame> closes = ws.serverFrames().stream().filter(f -> f.opcode() == CLOSE).toList();

        assertThat(closes).hasSizeLessThanOrEqualTo(1);
        // -1: no status code, the echo of a close frame that carried none
        closes.forEach(c -> assertThat(REFUSALS.contains(c.closeCode()) || ClientFrame.validCloseCode(c.closeCode()) || c.closeCode() == -1)
                .as("close code %d is a refusal or a valid echo", c.closeCode()).isTrue());
        assertThat(ws.closeAndCountLeaks()).isZero();
    }

    /** Feeds {@code bytes} in reads of the given sizes (the rest in one), checking the bytes held after each. */
    private static void feedInChunks(EmbeddedDirectSocket ws, byte[] bytes, List<Integer> chunks) {
        int from = 0;
        for (int i = 0; from < bytes.length; i++) {
            int n = i < chunks.size() ? Math.min(chunks.get(i), bytes.length - from) : bytes.length - from;
            if (!ws.feed(java.util.Arrays.copyOfRange(bytes, from, from + n))) {
                return;
            }
            from += n;
            // at most the read itself, one frame being decoded and one message being joined
            assertThat(ws.retainedBytes()).as("bytes the channel holds").isLessThanOrEqualTo(n + 3L * (MAX_FRAME + 14) + 1024);
        }
    }

    private static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
