package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ChunkedDecoder} and {@link EventStreamScanner} on a Herald-shaped stream, whatever the reads split. */
class SseParserTest {
    /** The events of a stream as Herald writes them: comments, named events with ids, one data line each. */
    private static final String EVENTS = ": connected\n\n"
            + "event: bench\nid: 1\ndata: {\"ts\":0,\"pad\":\"xx\"}\n\n"
            + "event: bench\nid: 2\ndata: {\"ts\":1700000000123456,\"pad\":\"" + "x".repeat(300) + "\"}\n\n"
            + ": keepalive\n\n"
            + "event: other\nid: 3\ndata: {\"no\":\"timestamp\",\"ts\"x:1}\n\n"
            + "id: 4\ndata: \"line1\\nline2\"\ndata: {\"ts\":7}\n\n"
            + "event: crlf\r\nid: 5\r\ndata: {\"ts\":55}\r\n\r\n"
            + "event: end-of-line-ends-number\nid: 6\ndata: \"ts\":66\n\n"
            + "data: {\"ts\":99}\n";
    private static final List<Long> EXPECTED = List.of(0L, 1700000000123456L, -1L, 7L, 55L, 66L);

    /** {@code body} in chunks of {@code size} bytes, each with an extension on every third, then the last chunk and a trailer. */
    private static byte[] chunked(String body, int size) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 0;
        for (int i = 0; i < b.length; i += size, n++) {
            int len = Math.min(size, b.length - i);
            out.writeBytes((Integer.toHexString(len) + (n % 3 == 2 ? ";ext=1" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b, i, len);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\nX-Trailer: y\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static final class Recorder implements EventStreamScanner.Listener {
        final List<Long> events = new ArrayList<>();

        @Override
        public void onEvent(long ts) {
            events.add(ts);
        }
    }

    private static List<Long> decode(byte[] all, int... splits) {
        Recorder r = new Recorder();
        ChunkedDecoder d = new ChunkedDecoder(new EventStreamScanner(r));
        int from = 0;
        for (int s : splits) {
            d.feed(Unpooled.wrappedBuffer(all), from, s);
            from = s;
        }
        d.feed(Unpooled.wrappedBuffer(all), from, all.length);
        assertThat(d.done()).isTrue();
        return r.events;
    }

    @Test
    void findsEveryEventWithDataAndItsTimestamp() {
        Recorder r = new Recorder();
        byte[] b = EVENTS.getBytes(StandardCharsets.UTF_8);
        new EventStreamScanner(r).data(Unpooled.wrappedBuffer(b), 0, b.length);
        // the last event has no blank line yet: not reported
        assertThat(r.events).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void givesTheSameAnswerWhereverTheReadsSplitTheChunkedStream() {
        for (int chunk : new int[] {1, 7, 64, 10_000}) {
            byte[] all = chunked(EVENTS, chunk);
            for (int split = 1; split < all.length; split++) {
                assertThat(decode(all, split)).as("chunks of %d, split at %d", chunk, split).containsExactlyElementsOf(EXPECTED);
            }
        }
    }

    @Test
    void readsOneByteAtATime() {
        byte[] all = chunked(EVENTS, 13);
        int[] splits = new int[all.length - 1];
        for (int i = 0; i < splits.length; i++) {
            splits[i] = i + 1;
        }
        assertThat(decode(all, splits)).containsExactlyElementsOf(EXPECTED);
    }

    @Test
    void refusesWhatIsNotChunkedCoding() {
        ChunkedDecoder d = new ChunkedDecoder((in, from, to) -> { });
        byte[] b = "zz\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> d.feed(Unpooled.wrappedBuffer(b), 0, b.length)).isInstanceOf(IllegalStateException.class);
        ChunkedDecoder d2 = new ChunkedDecoder((in, from, to) -> { });
        byte[] b2 = "3\r\nabcX".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> d2.feed(Unpooled.wrappedBuffer(b2), 0, b2.length)).isInstanceOf(IllegalStateException.class);
    }
}
