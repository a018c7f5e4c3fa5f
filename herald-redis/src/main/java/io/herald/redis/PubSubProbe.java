package io.herald.redis;

import java.time.Duration;

/**
 * When a quiet pub/sub connection is checked and how long it may take to answer: after
 * {@code interval} without receiving anything, a {@code PING} is sent on it; if nothing at all
 * arrives within {@code timeout}, the connection is treated as lost (closed, reconnected,
 * resubscribed, gaps reported). This catches what the socket alone never reports: a half-open TCP
 * connection, a frozen ({@code SIGSTOP}ped) or wedged Redis, a NAT or firewall that dropped the
 * connection's state. Immutable and thread-safe.
 *
 * <p>Defaults: 5 s and 2 s. A loss is noticed at most about 7 s after the last traffic, inside the
 * 10 s heartbeat expiry, so a node whose pub/sub died silently turns unavailable before other nodes
 * would count it as crashed. One PING per quiet connection every 5 s costs Redis nothing. The 2 s
 * timeout matches the publish command timeout ({@link RedisBroker#COMMAND_TIMEOUT_MS}): a Redis
 * that cannot answer a PING in 2 s is also one whose publishes fail as unavailable. A healthy Redis
 * answers in well under a millisecond; only a Redis blocked by a slow command or script for longer
 * than the timeout causes a needless reconnect, and that is reported as a possible gap, never lost.
 */
public record PubSubProbe(Duration interval, Duration timeout) {

    public static final PubSubProbe DEFAULT = new PubSubProbe(Duration.ofSeconds(5), Duration.ofSeconds(2));

    public PubSubProbe {
        if (interval == null || timeout == null || interval.toMillis() < 1 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("pub/sub probe needs interval and timeout of at least 1 ms, got " + interval + " / " + timeout);
        }
    }
}
