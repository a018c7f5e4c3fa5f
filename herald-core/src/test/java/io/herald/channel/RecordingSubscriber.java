package io.herald.channel;

import io.herald.Connection;
import io.herald.EncodedMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber for hub tests: its own single-thread executor stands in for an event loop, and it
 * records every message the hub sent it, as the shared objects and as the byte stream a client would
 * read. Close it to stop its thread.
 */
final class RecordingSubscriber implements Connection, AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private final String id = "s" + IDS.incrementAndGet();
    private final ExecutorService loop;
    private final boolean ownsLoop;
    private final List<EncodedMessage> received = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    RecordingSubscriber() {
        this.loop = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "test-loop-" + id);
            t.setDaemon(true);
            return t;
        });
        this.ownsLoop = true;
    }

    /** A subscriber on another one's loop, as two streams on one event loop. */
    RecordingSubscriber(RecordingSubscriber sameLoop) {
        this.loop = sameLoop.loop;
        this.ownsLoop = false;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ExecutorService executor() {
        return loop;
    }

    @Override
    public boolean send(EncodedMessage message) {
        if (closed) {
            return false;
        }
        received.add(message);
        return true;
    }

    @Override
    public void close(int closeCode, String reason) {
        closed = true;
    }

    /** Waits until every task already queued on this subscriber's loop has run. */
    RecordingSubscriber drain() {
        try {
            loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the subscriber's loop did not drain", e);
        }
        return this;
    }

    List<EncodedMessage> received() {
        return received;
    }

    /** Everything received, as the UTF-8 stream a client reads. */
    String text() {
        StringBuilder sb = new StringBuilder();
        for (EncodedMessage m : received) {
            sb.append(new String(m.bytes(), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** The ids of the event frames received, in order (reset events included). */
    List<Long> ids() {
        List<Long> ids = new ArrayList<>();
        for (EncodedMessage m : received) {
            String s = new String(m.bytes(), StandardCharsets.UTF_8);
            for (String line : s.split("\n")) {
                if (line.startsWith("id: ")) {
                    ids.add(Long.parseLong(line.substring(4)));
                }
            }
        }
        return ids;
    }

    @Override
    public void close() {
        closed = true;
        if (ownsLoop) {
            loop.shutdownNow();
        }
    }
}
