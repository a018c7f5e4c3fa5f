package io.herald.room;

import io.herald.Connection;
import io.herald.EncodedMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport for room tests: its own single-thread executor stands in for an event loop, and it
 * records what the room sent it and whether it was closed. Close it to stop its thread.
 */
final class TestConnection implements Connection, AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    private final String id = "t" + IDS.incrementAndGet();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-loop-" + id);
        t.setDaemon(true);
        return t;
    });
    private final List<EncodedMessage> received = new CopyOnWriteArrayList<>();
    private final List<String> sendThreads = new CopyOnWriteArrayList<>();
    volatile Integer closeCode;

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
        sendThreads.add(Thread.currentThread().getName());
        received.add(message);
        return true;
    }

    @Override
    public void close(int code, String reason) {
        closeCode = code;
    }

    /** The text messages received so far, in order. */
    List<String> texts() {
        return received.stream().filter(EncodedMessage::isText)
                .map(m -> new String(m.bytes(), StandardCharsets.UTF_8)).toList();
    }

    List<EncodedMessage> received() {
        return received;
    }

    /** Names of the threads {@link #send} ran on. */
    List<String> sendThreads() {
        return sendThreads;
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
