package io.herald.server.channel;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.core.ConditionFactory;

/**
 * An open {@code text/event-stream} response read by a background thread: it keeps every byte and
 * splits the stream into frames (each ending with a blank line) stamped with their arrival time.
 * Closing it closes the body, which drops the HTTP connection.
 */
final class SseStream implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    /** Awaitility polling every few milliseconds for up to {@link #WAIT}: loopback answers in well under that. */
    static ConditionFactory waiting() {
        return await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(WAIT);
    }

    /** One frame as read: its text including the terminating blank line, and when it completed. */
    record Frame(String text, long arrivedNanos) {
    }

    private final HttpResponse<InputStream> response;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final ByteArrayOutputStream frame = new ByteArrayOutputStream();
    private byte previous;
    private volatile boolean ended;

    SseStream(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        byte[] buf = new byte[8192];
        try (InputStream in = response.body()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                long now = System.nanoTime();
                synchronized (this) {
                    bytes.write(buf, 0, n);
                    splitFrames(buf, n, now);
                }
            }
        } catch (IOException e) {
            // the stream was closed by either side
        } finally {
            ended = true;
        }
    }

    /** Moves {@code n} read bytes into the current frame, cutting a frame at each blank line. */
    private void splitFrames(byte[] buf, int n, long now) {
        for (int i = 0; i < n; i++) {
            byte b = buf[i];
            frame.write(b);
            if (b == '\n' && previous == '\n') {
                frames.add(new Frame(frame.toString(StandardCharsets.UTF_8), now));
                frame.reset();
                b = 0;
            }
            previous = b;
        }
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    /** Every byte read so far, as UTF-8. */
    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    synchronized byte[] bytes() {
        return bytes.toByteArray();
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }

    List<String> frameTexts() {
        return frames.stream().map(Frame::text).toList();
    }

    /** Waits until at least {@code n} frames arrived and returns the first {@code n}. */
    List<String> awaitFrames(int n) {
        waiting().until(() -> frames.size() >= n);
        return frameTexts().subList(0, n);
    }

    /** Waits until the text read so far satisfies {@code condition} and returns it. */
    String awaitText(Predicate<String> condition) {
        waiting().until(() -> condition.test(text()));
        return text();
    }

    /** Waits until the text read so far ends with {@code suffix} and returns it. */
    String awaitEndsWith(String suffix) {
        return awaitText(t -> t.endsWith(suffix));
    }

    /** The ids of the event frames read so far (reset events included), in order. */
    List<Long> ids() {
        List<Long> ids = new ArrayList<>();
        for (Frame f : frames) {
            for (String line : f.text().split("\n")) {
                if (line.startsWith("id: ")) {
                    ids.add(Long.parseLong(line.substring(4)));
                }
            }
        }
        return ids;
    }

    /** Whether the server ended the stream (or the connection failed). */
    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
