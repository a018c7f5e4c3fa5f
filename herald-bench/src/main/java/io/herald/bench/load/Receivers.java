package io.herald.bench.load;

import java.util.List;

/**
 * The receiving sockets of a run, in this process ({@link LocalReceivers}) or split over child
 * processes ({@link ChildReceivers}). Called from the run's driver thread, in this order:
 * prepare, connect, (progress reads), startMeasure, finish, close.
 */
interface Receivers extends AutoCloseable {
    /** Does what must precede the timed connect (fetching tickets through the real endpoint). */
    void prepare();

    ConnectReport connect();

    /** Timestamped messages received so far (probes excluded); cheap, callable from any thread. */
    long received();

    /** Connections that have seen at least one readiness probe. */
    long probed();

    void startMeasure(long fromMicros);

    /**
     * Lets {@code hook} hear every timed delivery of the window as well; call before {@link #startMeasure}.
     * Only sockets in this process can be heard.
     *
     * @throws UnsupportedOperationException for receivers in child processes
     */
    default void onDelivery(DeliveryHook hook) {
        throw new UnsupportedOperationException("deliveries in child processes cannot be heard");
    }

    /** Stops measuring and collects counts, latencies and the CPU of child processes. */
    ReceiverReport finish();

    /** The loop threads living in this process, for the tool's CPU accounting. */
    List<Long> localThreadIds();

    @Override
    void close();
}
