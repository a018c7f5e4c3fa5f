package io.herald.room.builtin;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.room.RoomHost;
import io.herald.room.RoomMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A socket of a Yjs room for engine tests: its single-thread executor stands in for an event loop,
 * it queues every frame the room sent it and records the close; like a real transport it drops what
 * is sent after the close. {@link #send} feeds frames to the
 * room through the joined session; {@link #congested(boolean)} sets what it reports as congestion.
 * Close it to stop its thread.
 */
final class YSocket implements Connection, AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final AtomicInteger IDS = new AtomicInteger();
    private final String id = "y" + IDS.incrementAndGet();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-loop-" + id);
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<EncodedMessage> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile boolean congested;
    private volatile RoomHost.RoomSession session;

    void joined(RoomHost.RoomSession s) {
        this.session = s;
    }

    @Override
    public String id() {
        return id;
    }

    /** The room's connection id (what {@code broadcast} exclusions name). */
    String connectionId() {
        return session.connection().id();
    }

    @Override
    public ExecutorService executor() {
        return loop;
    }

    /** As a real transport: after the close nothing more is written. */
    @Override
    public boolean send(EncodedMessage message) {
        if (closed.isDone()) {
            return false;
        }
        inbox.add(message);
        return true;
    }

    @Override
    public boolean congested() {
        return congested;
    }

    /** What {@link #congested()} reports from now on, as a transport with a backlog would. */
    void congested(boolean value) {
        congested = value;
    }

    @Override
    public void close(int code, String reason) {
        closeReason = reason;
        closed.complete(code);
    }

    /** Sends a binary frame to the room. */
    void send(byte[] frame) {
        assertThat(session.message(RoomMessage.binary(frame))).as("the room's queue accepted the frame").isTrue();
    }

    /** Sends a text frame to the room. */
    void sendText(String text) {
        assertThat(session.message(RoomMessage.text(text))).as("the room's queue accepted the frame").isTrue();
    }

    /** The socket closes (the room's onClose runs). */
    void leave() {
        session.closed(1000, "bye");
    }

    /** The next frame, which must be binary. */
    byte[] next() {
        EncodedMessage m = poll(WAIT);
        assertThat(m).as("%s: a frame within %s (closed: %s)", id, WAIT, closeReason).isNotNull();
        assertThat(m.isText()).as("%s: a binary frame, got text %s", id, text(m)).isFalse();
        return m.bytes();
    }

    /** The next frame, which must be text. */
    String nextText() {
        EncodedMessage m = poll(WAIT);
        assertThat(m).as("%s: a frame within %s", id, WAIT).isNotNull();
        assertThat(m.isText()).as("%s: a text frame", id).isTrue();
        return text(m);
    }

    EncodedMessage poll(Duration wait) {
        try {
            return inbox.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends a sync step 1 with an empty state vector and returns the frames the room sent this socket
     * before the step 2 that answers it, then that step 2 last. The room handles every frame in order,
     * so what it broadcast because of frames sent earlier (by any socket) is in the list, and nothing
     * else: an empty list proves that nothing was sent.
     */
    List<byte[]> framesUntilStep2() {
        send(YFrames.step1(new byte[] {0}));
        List<byte[]> before = new ArrayList<>();
        while (true) {
            byte[] f = next();
            before.add(f);
            if (f.length > 1 && f[0] == 0 && f[1] == 1) {
                return before;
            }
        }
    }

    /** Asserts that the room sent nothing since the last frame read (see {@link #framesUntilStep2}). */
    void assertNothingSent() {
        List<byte[]> frames = framesUntilStep2();
        assertThat(frames).as("%s: frames before the marker's step 2", id).hasSize(1);
    }

    /** The close code the room closed this socket with, waiting up to 5 s. */
    int awaitClose() {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(id + " was not closed within " + WAIT, e);
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    String closeReason() {
        return closeReason;
    }

    private static String text(EncodedMessage m) {
        return new String(m.bytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
