package io.herald.broadcast;

import io.herald.Connection;
import io.herald.cluster.Broker;
import java.util.Arrays;
import java.util.Comparator;
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
    final Map<Executor, LoopMembers> byLoop = new ConcurrentHashMap<>();
    /**
     * Each user's members, as an array replaced on every change: a user has a few sockets, and a concurrent
     * set per user cost about 200 bytes where an array of one costs 24.
     */
    final Map<String, Member[]> byUser = new ConcurrentHashMap<>();
    /** Guarded by the hub's {@code scopes.compute} on this key. */
    int size;
    /** Guarded likewise; open while {@code size > 0}. */
    Broker.Subscription subscription;

    Scope(String key) {
        this.key = key;
    }

    void add(Member m) {
        byLoop.computeIfAbsent(m.connection().executor(), x -> new LoopMembers()).add(m);
        byUser.merge(m.userId(), new Member[] {m}, (had, one) -> {
            Member[] more = Arrays.copyOf(had, had.length + 1);
            more[had.length] = m;
            return more;
        });
        size++;
    }

    boolean remove(Member m) {
        boolean[] removed = {false};
        byLoop.computeIfPresent(m.connection().executor(), (k, members) -> {
            removed[0] = members.remove(m);
            return members.isEmpty() ? null : members;
        });
        byUser.computeIfPresent(m.userId(), (k, members) -> without(members, m));
        if (removed[0]) {
            size--;
        }
        return removed[0];
    }

    /** {@code members} without {@code m}: the same array when it is not there, null when nothing is left. */
    private static Member[] without(Member[] members, Member m) {
        for (int i = 0; i < members.length; i++) {
            if (members[i] == m) {
                if (members.length == 1) {
                    return null;
                }
                Member[] fewer = new Member[members.length - 1];
                System.arraycopy(members, 0, fewer, 0, i);
                System.arraycopy(members, i + 1, fewer, i, fewer.length - i);
                return fewer;
            }
        }
        return members;
    }

    /**
     * The members on one event loop, handed to that loop's fan-out tasks as an array in the order they
     * joined. The array is rebuilt only after a change. Iterating a concurrent set instead walked its
     * hash order, a cache miss or more per socket, and the sockets out of the order they connected in.
     */
    static final class LoopMembers {
        private static final Member[] NONE = {};
        private static final Comparator<Member> JOINED = Comparator.comparingLong(Member::seq);
        private final Set<Member> set = ConcurrentHashMap.newKeySet();
        private volatile boolean changed;
        private Member[] snapshot = NONE;

        void add(Member m) {
            set.add(m);
            changed = true;
        }

        boolean remove(Member m) {
            boolean removed = set.remove(m);
            if (removed) {
                changed = true;
            }
            return removed;
        }

        boolean isEmpty() {
            return set.isEmpty();
        }

        /**
         * The members as of now or slightly before: one that joins or leaves meanwhile may be missed
         * or still sent to (a closed connection refuses the send). Do not modify the array.
         */
        synchronized Member[] members() {
            if (changed) {
                // cleared before the copy: a change landing during the copy makes the next call rebuild
                changed = false;
                Member[] a = set.toArray(NONE);
                Arrays.sort(a, JOINED);
                snapshot = a;
            }
            return snapshot;
        }
    }

    /**
     * One subscribed connection; {@code seq} orders members by when they joined; {@code cursor} is null
     * unless the socket is resumable. Identity-compared, so the same socket can be in two scopes.
     */
    record Member(Connection connection, String userId, RoleSet roles, long seq, Cursor cursor) {
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
