package io.herald.bench.load;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Decides when the next message goes: at {@code rate} per second (each stamped when it is actually
 * sent, so a late send shows as latency rather than hiding), or as fast as the publisher has free
 * slots, and in both cases never more than {@code maxLag} messages ahead of what every socket has
 * received. Runs on the publisher's loop: a 1 ms tick, plus a refill whenever a slot frees up.
 */
final class Pacer {
    private final Publisher publisher;
    private final double rate;
    private final long maxLag;
    private final LongSupplier received;
    private final long receiversPerMessage;
    private long startNanos;
    private long sent;
    private long lagWaits;
    private boolean stopped = true;
    private ScheduledFuture<?> tick;

    /** What a pacer did: messages sent, and how far a fixed-rate schedule fell behind. */
    record Outcome(long sent, long behind, long lagWaits) {
    }

    Pacer(Publisher publisher, double rate, int maxLag, LongSupplier received, long receiversPerMessage) {
        this.publisher = publisher;
        this.rate = rate;
        this.maxLag = maxLag;
        this.received = received;
        this.receiversPerMessage = Math.max(1, receiversPerMessage);
    }

    void start() {
        publisher.loop().execute(() -> {
            stopped = false;
            startNanos = System.nanoTime();
            publisher.onSlotFree(this::pump);
            tick = publisher.loop().scheduleAtFixedRate(this::pump, 0, 1, TimeUnit.MILLISECONDS);
        });
    }

    /** Stops sending and reports; blocks briefly for the loop. */
    Outcome stop() {
        try {
            return publisher.loop().submit(() -> {
                stopped = true;
                tick.cancel(false);
                publisher.onSlotFree(() -> { });
                return new Outcome(sent, Math.max(0, due(System.nanoTime()) - sent), lagWaits);
            }).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("publisher loop did not answer", e);
        }
    }

    private long due(long now) {
        return rate > 0 ? (long) ((now - startNanos) / 1e9 * rate) + 1 : Long.MAX_VALUE;
    }

    private void pump() {
        if (stopped) {
            return;
        }
        long due = due(System.nanoTime());
        while (sent < due) {
            if (sent - received.getAsLong() / receiversPerMessage >= maxLag) {
                lagWaits++;
                return;
            }
            if (!publisher.trySend(BenchClock.micros())) {
                return;
            }
            sent++;
        }
    }
}
