package io.herald.server.transport;

import io.herald.Meters;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed accepts on the listening socket, most often the process's file descriptor limit ({@code EMFILE},
 * "Too many open files"): counted as {@code herald_refusals_total{reason="descriptors"}} and logged at most
 * once a minute with how many were not logged. One per server; {@link AcceptGuard} puts it last on each
 * listening channel's pipeline, behind Netty's acceptor. Thread-safe.
 *
 * <p>Netty reports a failed accept as an {@link IOException} fired down the listening channel's pipeline:
 * its acceptor stops accepting for a second and passes it on, and at the pipeline's tail Netty logs a
 * WARN with a stack trace, so a server out of descriptors logged one every second for as long as it
 * lasted. This handler ends the event before the tail. Connections already open are unaffected either way:
 * the server keeps serving them while accepting retries each second.
 */
@ChannelHandler.Sharable
final class AcceptFailures extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AcceptFailures.class);
    static final String NAME = "herald-accept-failures";
    static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Meters meters;
    private final LongSupplier nanoClock;
    private final AtomicLong lastLogged;
    private final AtomicLong unlogged = new AtomicLong();

    AcceptFailures(Meters meters) {
        this(meters, System::nanoTime);
    }

    AcceptFailures(Meters meters, LongSupplier nanoClock) {
        this.meters = meters;
        this.nanoClock = nanoClock;
        this.lastLogged = new AtomicLong(nanoClock.getAsLong() - LOG_INTERVAL_NANOS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            record(cause);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    /** Counts a failed accept and logs it if nothing was logged for a minute; true when it logged. */
    boolean record(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        if (message.contains("open files")) {
            meters.refused("descriptors");
        }
        long now = nanoClock.getAsLong();
        long last = lastLogged.get();
        if (now - last >= LOG_INTERVAL_NANOS && lastLogged.compareAndSet(last, now)) {
            long skipped = unlogged.getAndSet(0);
            log.warn("Cannot accept new connections: {} ({} more failed accepts in the last minute not logged). "
                    + "Open connections are still served; accepting is retried every second.", message, skipped);
            return true;
        }
        unlogged.incrementAndGet();
        return false;
    }
}
