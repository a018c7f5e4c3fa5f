package io.herald.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The renewer's counting of failures, against a store whose answers the test scripts (the store
 * adapters prove the real answers in their own tests); the lease's validity is real time.
 */
class LeaseRenewerTest {
    private static final Duration TERM = Duration.ofMillis(300);
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<LeaseRenewer.Loss> lost = new CopyOnWriteArrayList<>();
    private final LeaseRenewer renewer = new LeaseRenewer(timer, (lease, why) -> lost.add(why));

    @AfterEach
    void stop() {
        renewer.close();
        timer.shutdownNow();
    }

    @Test
    void oneFailedRenewIsSurvivedAndTwoInARowLoseTheLease() {
        ScriptedLease lease = new ScriptedLease(failed(), ok(), failed(), failed());
        renewer.keep(lease);

        await().atMost(PATIENCE).until(() -> !lost.isEmpty());

        assertThat(lost).containsExactly(LeaseRenewer.Loss.UNREACHABLE);
        assertThat(lease.renews.get()).isEqualTo(4);
        assertThat(renewer.keeps(lease)).isFalse();
    }

    @Test
    void aRenewStillUnansweredWhenTheNextIsDueCountsAsFailed() {
        ScriptedLease lease = new ScriptedLease(ok(), CompletableFuture::new, failed());
        renewer.keep(lease);

        await().atMost(PATIENCE).until(() -> !lost.isEmpty());

        assertThat(lost).containsExactly(LeaseRenewer.Loss.UNREACHABLE);
        assertThat(lease.renews.get()).isEqualTo(3);
    }

    @Test
    void aHangingStoreLosesTheLeaseWhenItsValidityPasses() {
        ScriptedLease lease = new ScriptedLease(CompletableFuture::new, CompletableFuture::new, CompletableFuture::new);
        renewer.keep(lease);

        await().atMost(PATIENCE).until(() -> !lost.isEmpty());

        assertThat(lost).containsExactly(LeaseRenewer.Loss.EXPIRED);
        assertThat(lease.valid()).isFalse();
    }

    private static Supplier<CompletableFuture<Boolean>> ok() {
        return () -> CompletableFuture.completedFuture(true);
    }

    private static Supplier<CompletableFuture<Boolean>> failed() {
        return () -> CompletableFuture.failedFuture(new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
    }

    /** A lease whose renews answer as scripted, each success extending it by a term from its start. */
    private static final class ScriptedLease implements Lease {
        final ConcurrentLinkedQueue<Supplier<CompletableFuture<Boolean>>> answers;
        final AtomicInteger renews = new AtomicInteger();
        volatile long validUntil = System.nanoTime() + TERM.toNanos();

        @SafeVarargs
        ScriptedLease(Supplier<CompletableFuture<Boolean>>... answers) {
            this.answers = new ConcurrentLinkedQueue<>(List.of(answers));
        }

        @Override
        public String party() {
            return "chat";
        }

        @Override
        public String room() {
            return "r";
        }

        @Override
        public long token() {
            return 1;
        }

        @Override
        public Duration term() {
            return TERM;
        }

        @Override
        public long validUntilNanos() {
            return validUntil;
        }

        @Override
        public boolean valid() {
            return System.nanoTime() < validUntil;
        }

        @Override
        public CompletableFuture<Boolean> renew() {
            renews.incrementAndGet();
            long start = System.nanoTime();
            Supplier<CompletableFuture<Boolean>> next = answers.poll();
            CompletableFuture<Boolean> answer = next == null ? new CompletableFuture<>() : next.get();
            return answer.thenApply(ok -> {
                if (ok) {
                    validUntil = start + TERM.toNanos();
                }
                return ok;
            });
        }

        @Override
        public CompletableFuture<Boolean> release() {
            return CompletableFuture.completedFuture(true);
        }
    }
}
