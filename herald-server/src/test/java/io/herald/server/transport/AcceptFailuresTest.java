package io.herald.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.Meters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AcceptFailuresTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicLong now = new AtomicLong(1_000);
    private final AcceptFailures failures = new AcceptFailures(new Meters(registry), now::get);

    private double descriptors() {
        var c = registry.find("herald.refusals").tag("reason", "descriptors").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void theFirstFailureIsLoggedAndTheNextOnesOnlyAfterAMinute() {
        IOException emfile = new IOException("Too many open files");

        assertThat(failures.record(emfile)).isTrue();
        for (int second = 1; second < 60; second++) {
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertThat(failures.record(emfile)).as("second %d", second).isFalse();
        }
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));

        assertThat(failures.record(emfile)).isTrue();
        assertThat(descriptors()).isEqualTo(61);
    }

    @Test
    void anAcceptFailureEndsAtTheHandlerInsteadOfReachingThePipelineTail() {
        EmbeddedChannel listening = new EmbeddedChannel(failures);

        listening.pipeline().fireExceptionCaught(new IOException("Too many open files"));

        listening.checkException();
        assertThat(descriptors()).isEqualTo(1);
    }

    @Test
    void anythingButAnIoExceptionIsPassedOn() {
        EmbeddedChannel listening = new EmbeddedChannel(failures);

        listening.pipeline().fireExceptionCaught(new IllegalStateException("bug"));

        assertThatThrownBy(listening::checkException).isInstanceOf(IllegalStateException.class);
        assertThat(descriptors()).isZero();
    }
}
