package io.herald.lane;

import io.herald.Connection;
import io.herald.EncodedMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lane socket's connection in tests: records every message it is sent, the thread that sent it, and
 * the close code the hub gave it. It can refuse sends, as a closed or overflowing socket does.
 */
final class RecordingConnection implements Connection {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String id = "lane-" + IDS.incrementAndGet();
    private final Executor executor;
    private final List<EncodedMessage> received = new CopyOnWriteArrayList<>();
    private final List<String> sendThreads = new CopyOnWriteArrayList<>();
    private final boolean refusing;
    private volatile int closeCode;
    private volatile String closeReason;

    RecordingConnection(Executor executor, boolean refusing) {
        this.executor = executor;
        this.refusing = refusing;
    }

    List<EncodedMessage> received() {
        return received;
    }

    List<String> texts() {
        return received.stream().map(m -> new String(m.bytes(), StandardCharsets.UTF_8)).toList();
    }

    List<String> sendThreads() {
        return sendThreads;
    }

    /** The close code the hub gave this connection, or 0 while it is open. */
    int closeCode() {
        return closeCode;
    }

    String closeReason() {
        return closeReason;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean send(EncodedMessage message) {
        sendThreads.add(Thread.currentThread().getName());
        if (refusing || closeCode != 0) {
            return false;
        }
        received.add(message);
        return true;
    }

    @Override
    public void close(int code, String reason) {
        if (closeCode == 0) {
            closeReason = reason;
            closeCode = code;
        }
    }
}
