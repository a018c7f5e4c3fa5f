package io.herald.broadcast;

import io.herald.Connection;
import io.herald.EncodedMessage;
import io.herald.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection that records what it is sent and on which thread: the hub's collaborator in tests, not
 * a stand-in for the hub. It can refuse messages (as a closed socket does) or throw (as a broken transport would).
 */
final class RecordingConnection implements Connection {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final String id = "c" + IDS.incrementAndGet();
    private final Executor executor;
    private final List<EncodedMessage> received = new CopyOnWriteArrayList<>();
    private final Set<String> sendThreads = ConcurrentHashMap.newKeySet();
    private volatile boolean refusing;
    private volatile boolean throwing;
    BroadcastHub.Registration registration;

    RecordingConnection(Executor executor) {
        this.executor = executor;
    }

    /** From now on {@link #send} returns false, as for a closed or overflowing socket. */
    RecordingConnection refuse() {
        refusing = true;
        return this;
    }

    /** From now on {@link #send} throws. */
    RecordingConnection breakDown() {
        throwing = true;
        return this;
    }

    List<EncodedMessage> received() {
        return received;
    }

    List<String> texts() {
        return received.stream().map(m -> new String(m.bytes(), StandardCharsets.UTF_8)).toList();
    }

    /** The only message received; fails when there is not exactly one. */
    EncodedMessage only() {
        if (received.size() != 1) {
            throw new AssertionError(id + " received " + received.size() + " messages: " + texts());
        }
        return received.get(0);
    }

    String onlyText() {
        return new String(only().bytes(), StandardCharsets.UTF_8);
    }

    Set<String> sendThreads() {
        return sendThreads;
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
        if (throwing) {
            throw new IllegalStateException("transport broke");
        }
        if (refusing) {
            return false;
        }
        received.add(message);
        return true;
    }

    // both overloads without @Override, so this compiles whichever of them Connection declares abstract
    public void close(int code, String reason) {
        refusing = true;
    }

    public void close(ErrorCode code, String reason) {
        close(code.closeCode(), reason);
    }
}
