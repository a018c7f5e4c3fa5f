package io.herald.lane;

import io.herald.Connection;
import java.util.LinkedHashSet;
import java.util.Set;

/** One socket in a user's lane and the filters it holds. Guarded by its lane's monitor. */
public final class LaneSocket {
    final String userId;
    final Connection connection;
    final Set<Filter> filters = new LinkedHashSet<>();
    boolean closed;

    LaneSocket(String userId, Connection connection) {
        this.userId = userId;
        this.connection = connection;
    }

    public String userId() {
        return userId;
    }

    public Connection connection() {
        return connection;
    }
}
