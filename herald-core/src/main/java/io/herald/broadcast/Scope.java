package io.herald.broadcast;

import io.herald.Connection;
import io.herald.cluster.Broker;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The local members of one scope, indexed by event loop (a fan-out is one task per loop) and by user
 * (a user-targeted event touches only that user's sockets). Membership changes are serialised by the
 * hub's scope map; the sets are concurrent so fan-out tasks can iterate them meanwhile.
 */
final class Scope {
    final String key;
    final Map<Executor, Set<Member>> byLoop = new ConcurrentHashMap<>();
    final Map<String, Set<Member>> byUser = new ConcurrentHashMap<>();
    /** Guarded by the hub's {@code scopes.compute} on this key. */
    int size;
    /** Guarded likewise; open while {@code size > 0}. */
    Broker.Subscription subscription;

    Scope(String key) {
        this.key = key;
    }

    void add(Member m) {
        byLoop.computeIfAbsent(m.connection().executor(), x -> ConcurrentHashMap.newKeySet()).add(m);
        byUser.computeIfAbsent(m.userId(), x -> ConcurrentHashMap.newKeySet()).add(m);
        size++;
    }

    boolean remove(Member m) {
        boolean removed = removeFrom(byLoop, m.connection().executor(), m);
        removeFrom(byUser, m.userId(), m);
        if (removed) {
            size--;
        }
        return removed;
    }

    private static <K> boolean removeFrom(Map<K, Set<Member>> index, K key, Member m) {
        boolean[] removed = {false};
        index.computeIfPresent(key, (k, set) -> {
            removed[0] = set.remove(m);
            return set.isEmpty() ? null : set;
        });
        return removed[0];
    }

    /** One subscribed connection. Identity-compared, so the same socket can be in two scopes. */
    record Member(Connection connection, String userId, RoleSet roles) {
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
