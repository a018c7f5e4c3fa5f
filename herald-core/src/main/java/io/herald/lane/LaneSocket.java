package io.herald.lane;

import io.herald.Connection;
import java.util.ArrayList;
import java.util.List;

/** One socket in a user's lane and the filters it holds. Guarded by its lane's monitor. */
public final class LaneSocket {
    final String userId;
    final Connection connection;
    /** Distinct, in the order they were added: a list for the reason of {@link Lane#sockets} (at most {@code lanes.maxFiltersPerSocket}). */
    final List<Filter> filters = new ArrayList<>(1);
    boolean closed;
    private final java.util.concurrent.CompletableFuture<Void> ready;

    LaneSocket(String userId, Connection connection, java.util.concurrent.CompletableFuture<Void> ready) {
        this.userId = userId;
        this.connection = connection;
        this.ready = ready;
    }

    /**
     * Completes once publishes from every node reach this socket (in a cluster its lane's subscription
     * takes effect asynchronously): a {@code subscribed} reply sent before would promise envelopes that
     * another node's publish could still miss.
     */
    public java.util.concurrent.CompletableFuture<Void> ready() {
        return ready;
    }

    public String userId() {
        return userId;
    }

    public Connection connection() {
        return connection;
    }
}
