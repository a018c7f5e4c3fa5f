package io.herald.room;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: a room's context. Drains at most
 * a batch per turn so a busy room does not starve others. Bounded: past {@code maxQueued} tasks
 * {@link #execute} throws. Thread-safe.
 */
final class SerialExecutor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
    private static final int BATCH = 64;
    private final Executor pool;
    private final int maxQueued;
    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile Thread current;

    SerialExecutor(Executor pool, int maxQueued) {
        this.pool = pool;
        this.maxQueued = maxQueued;
    }

    @Override
    public void execute(Runnable task) {
        if (size.incrementAndGet() > maxQueued) {
            size.decrementAndGet();
            throw new java.util.concurrent.RejectedExecutionException("room queue full");
        }
        queue.add(task);
        schedule();
    }

    /**
     * Queues {@code task} past the cap: for the close of a socket, which must reach the room once and
     * is bounded by the number of sockets, not by what a client sends.
     */
    void executeAlways(Runnable task) {
        size.incrementAndGet();
        queue.add(task);
        schedule();
    }

    /** Whether the calling thread is running this executor's task. */
    boolean inContext() {
        return current == Thread.currentThread();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false);
                throw e;
            }
        }
    }

    private void drain() {
        current = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable r = queue.poll();
                if (r == null) {
                    break;
                }
                size.decrementAndGet();
                try {
                    r.run();
                } catch (Throwable t) {
                    log.error("room task failed", t);
                }
            }
        } finally {
            current = null;
            scheduled.set(false);
            if (!queue.isEmpty()) {
                schedule();
            }
        }
    }
}
