package io.herald.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Renews every {@link Lease} it {@link #keep keeps} at a third of its term and tells a
 * {@link LostListener} when one is lost, so the owner saves and unloads the room instead of risking
 * two owners. Thread-safe; runs on the given timer, which also runs the listener (it must not block).
 *
 * <p>A lease is lost, and no longer renewed, when:
 * <ul>
 * <li>{@link Loss#NOT_HELD}: a renew answered false: the store let it expire or another node holds it;
 * <li>{@link Loss#UNREACHABLE}: {@value #FAILURES_TO_LOSE} renews in a row failed, or were still
 *     unanswered when the next was due. Renewing at a third of the term means the second failure comes
 *     about two thirds into the term when the store refuses at once, so about a third of the term
 *     remains for saving the room while the lease still holds; one failure alone (a reconnect) is
 *     survived;
 * <li>{@link Loss#EXPIRED}: the lease's local validity passed without a successful renew (a store
 *     that hangs, or this process stalled past it). Checked before every renew too, so a node waking
 *     from a long pause stops acting as owner before it asks the store anything.
 * </ul>
 * The listener is told once per lease. Ticks run with a fixed delay, so a stalled timer does not fire
 * a burst of renews that would count each other as unanswered.
 *
 * <p>The timer is a {@link ScheduledExecutorService} rather than Vert.x timers because herald-core
 * (where rooms live) has no Vert.x, and the room host already owns a one-thread timer that can serve.
 */
public final class LeaseRenewer implements AutoCloseable {

    /** Renew failures in a row that lose a lease. */
    public static final int FAILURES_TO_LOSE = 2;

    /** Why a lease was lost. */
    public enum Loss { NOT_HELD, UNREACHABLE, EXPIRED }

    /** Told when a kept lease was lost; runs on the renewer's timer and must not block. */
    @FunctionalInterface
    public interface LostListener {
        void onLost(Lease lease, Loss why);
    }

    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    private final LostListener listener;
    private final Map<Lease, Renewal> renewals = new ConcurrentHashMap<>();

    /** A renewer on {@code timer} (owned by the caller, not shut down by {@link #close()}). */
    public LeaseRenewer(ScheduledExecutorService timer, LostListener listener) {
        this(timer, System::nanoTime, listener);
    }

    /** A renewer reading the time from {@code nanoClock}, which must be the clock of the leases' {@link Lease#validUntilNanos()}. */
    public LeaseRenewer(ScheduledExecutorService timer, LongSupplier nanoClock, LostListener listener) {
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.listener = listener;
    }

    /** Starts renewing {@code lease} (just acquired) until it is lost, {@link #stop stopped} or the renewer closed. */
    public void keep(Lease lease) {
        Renewal renewal = new Renewal(lease);
        if (renewals.putIfAbsent(lease, renewal) == null) {
            renewal.start();
        }
    }

    /** Stops renewing {@code lease} without telling the listener (the room unloads; release the lease next); false when it was not kept. */
    public boolean stop(Lease lease) {
        Renewal renewal = renewals.remove(lease);
        if (renewal == null) {
            return false;
        }
        renewal.end();
        return true;
    }

    /** Whether {@code lease} is being renewed. */
    public boolean keeps(Lease lease) {
        return renewals.containsKey(lease);
    }

    /** Stops every renewal; the leases are not released (they expire unless their rooms release them). */
    @Override
    public void close() {
        renewals.keySet().forEach(this::stop);
    }

    private final class Renewal {
        private final Lease lease;
        private final long intervalNanos;
        private ScheduledFuture<?> ticks;
        private ScheduledFuture<?> watchdog;
        private long attempt;
        private boolean pending;
        private int failures;
        private boolean over;

        Renewal(Lease lease) {
            this.lease = lease;
            this.intervalNanos = Math.max(1, lease.term().toNanos() / 3);
        }

        synchronized void start() {
            if (over) {
                return;
            }
            ticks = timer.scheduleWithFixedDelay(this::tick, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
            watch();
        }

        synchronized void end() {
            over = true;
            if (ticks != null) {
                ticks.cancel(false);
            }
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }

        private void tick() {
            Loss loss;
            long mine;
            synchronized (this) {
                if (over) {
                    return;
                }
                loss = !lease.valid() ? Loss.EXPIRED : pending && ++failures >= FAILURES_TO_LOSE ? Loss.UNREACHABLE : null;
                mine = ++attempt;
                pending = loss == null;
            }
            if (loss != null) {
                lose(loss);
                return;
            }
            lease.renew().whenCompleteAsync((ok, failure) -> answered(mine, ok, failure), timer);
        }

        private void answered(long which, Boolean ok, Throwable failure) {
            Loss loss = null;
            synchronized (this) {
                if (over) {
                    return;
                }
                if (failure == null && !ok) {
                    // decisive whenever it comes: the store no longer holds our token, and never will again
                    loss = Loss.NOT_HELD;
                } else if (which == attempt) {
                    // an older attempt's late answer was already counted as a failure at the next tick
                    pending = false;
                    if (failure == null) {
                        failures = 0;
                        watch();
                    } else if (++failures >= FAILURES_TO_LOSE) {
                        loss = Loss.UNREACHABLE;
                    }
                }
            }
            if (loss != null) {
                lose(loss);
            }
        }

        /** Arms the check at the lease's local validity (none for a lease that never expires). */
        private void watch() {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            long until = lease.validUntilNanos();
            if (until != Long.MAX_VALUE) {
                long delay = Math.max(0, until - nanoClock.getAsLong());
                watchdog = timer.schedule(this::expire, delay, TimeUnit.NANOSECONDS);
            }
        }

        private void expire() {
            synchronized (this) {
                if (over) {
                    return;
                }
                if (lease.valid()) {
                    // renewed meanwhile by an answer that raced this check
                    watch();
                    return;
                }
            }
            lose(Loss.EXPIRED);
        }

        private void lose(Loss loss) {
            if (renewals.remove(lease, this)) {
                end();
                listener.onLost(lease, loss);
            }
        }
    }
}
