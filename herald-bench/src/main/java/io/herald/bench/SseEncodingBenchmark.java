package io.herald.bench;

import io.herald.EncodedMessage;
import io.herald.channel.SseCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Framing one channel event as Server-Sent Events ({@link SseCodec#event}), done once per publish and shared by
 * every reader of the channel. {@code dataBytes} is the length of the event's JSON text (compact JSON, one line,
 * ASCII): a small chat-like message or a 4 KiB document; the frame adds {@code event:}, {@code id:} and
 * {@code data:} lines. The id is a mid-life channel's counter (5 digits).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class SseEncodingBenchmark {
    @Param({"64", "4096"})
    public int dataBytes;

    private String event;
    private String data;
    private long id;

    @Setup
    public void setup() {
        event = "message";
        id = 48_213; // a channel's ids count up from 1
        data = json(dataBytes);
        if (data.getBytes(StandardCharsets.UTF_8).length != dataBytes) {
            throw new IllegalStateException("data is " + data.length() + " bytes, not " + dataBytes);
        }
    }

    /** Compact JSON of exactly {@code size} ASCII bytes: an object with a list of small records, padded. */
    static String json(int size) {
        String head = "{\"room\":\"general\",\"items\":[";
        StringBuilder sb = new StringBuilder(size).append(head);
        for (int i = 0; sb.length() + 80 < size; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"id\":").append(i).append(",\"user\":\"user_").append(i % 7)
                    .append("\",\"text\":\"message number ").append(i).append("\"}");
        }
        sb.append("],\"pad\":\"");
        while (sb.length() < size - 2) {
            sb.append('x');
        }
        return sb.append("\"}").toString();
    }

    @Benchmark
    public EncodedMessage event() {
        return SseCodec.event(event, id, data);
    }
}
