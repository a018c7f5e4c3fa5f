package io.herald.postgres;

import io.herald.ErrorCode;
import io.herald.storage.FencedOutException;
import io.herald.storage.RoomStore;
import io.herald.storage.StorageException;
import io.herald.storage.StorageLimits;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * One room's keys in {@link PostgresStorage}. Reads are single statements; a write is one transaction
 * that locks the room's {@code rooms} row, checks its fencing token against the row's (when this store
 * has one), reads the sizes of the keys it replaces, checks the budget, writes, and stores the new byte
 * count and token. Thread-safe; every call blocks on the database.
 */
final class PostgresRoomStore implements RoomStore {
    private final DataSource pool;
    private final PostgresSchema t;
    private final String party;
    private final String room;
    private final long maxRoomBytes;
    /** This store's fencing token, or {@link #UNFENCED}. */
    private final long fence;

    /** The token of a store opened without one; never stored, since fenced tokens are positive. */
    static final long UNFENCED = 0;

    PostgresRoomStore(DataSource pool, PostgresSchema schema, String party, String room, long maxRoomBytes, long fence) {
        this.pool = pool;
        this.t = schema;
        this.party = party;
        this.room = room;
        this.maxRoomBytes = maxRoomBytes;
        this.fence = fence;
    }

    /** The locked {@code rooms} row of a write's transaction. */
    private record RoomRow(long bytes, long fence) {
    }

    @Override
    public Optional<byte[]> get(String key) {
        checkKey(key);
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM " + t.kv + " WHERE party = ? AND room = ? AND k = ?")) {
            bindRoom(ps);
            ps.setString(3, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StorageException("storage read failed", e);
        }
    }

    @Override
    public void put(String key, byte[] value) {
        apply(List.of(new Op(key, value)));
    }

    @Override
    public boolean delete(String key) {
        return apply(List.of(new Op(key, null))) > 0;
    }

    @Override
    public SortedMap<String, byte[]> list(String prefix) {
        String p = prefix == null ? "" : prefix;
        String sql = "SELECT k, v FROM " + t.kv + " WHERE party = ? AND room = ?"
                + (p.isEmpty() ? "" : " AND k LIKE ? ESCAPE '\\'") + " ORDER BY k";
        SortedMap<String, byte[]> out = new TreeMap<>();
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bindRoom(ps);
            if (!p.isEmpty()) {
                ps.setString(3, likePrefix(p));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getBytes(2));
                }
            }
        } catch (SQLException e) {
            throw new StorageException("storage read failed", e);
        }
        return out;
    }

    /** {@code prefix} as a LIKE pattern matching itself literally, then anything. */
    private static String likePrefix(String prefix) {
        StringBuilder b = new StringBuilder(prefix.length() + 4);
        for (int i = 0; i < prefix.length(); i++) {
            char ch = prefix.charAt(i);
            if (ch == '%' || ch == '_' || ch == '\\') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.append('%').toString();
    }

    @Override
    public void batch(Consumer<Batch> ops) {
        apply(Op.collect(ops));
    }

    @Override
    public long bytesUsed() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT bytes FROM " + t.rooms + " WHERE party = ? AND room = ?")) {
            bindRoom(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new StorageException("storage read failed", e);
        }
    }

    @Override
    public long maxBytes() {
        return maxRoomBytes;
    }

    private void bindRoom(PreparedStatement ps) throws SQLException {
        ps.setString(1, party);
        ps.setString(2, room);
    }

    /** The key's UTF-8 length; also refuses U+0000, which PostgreSQL text cannot hold. */
    private static int checkKey(String key) {
        int n = StorageLimits.keyBytes(key);
        if (key.indexOf('\u0000') >= 0) {
            throw new StorageException(ErrorCode.BAD_REQUEST, "Storage keys must not contain U+0000.");
        }
        return n;
    }

    /** Validates, then writes every op in one transaction under the room's row lock. Returns rows deleted. */
    private int apply(List<Op> ops) {
        for (Op op : ops) {
            checkKey(op.key());
            if (op.value() != null) {
                StorageLimits.checkValue(op.value());
            }
        }
        if (ops.isEmpty()) {
            return 0;
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                RoomRow row = lockRoom(c);
                // under the row lock, before the budget: a stale owner must hear that it is stale, whatever it writes
                boolean raise = admitFence(row);
                long used = row.bytes();
                Map<String, Long> sizes = storedSizes(c, ops);
                long delta = 0;
                for (Op op : ops) {
                    Long before = sizes.get(op.key());
                    long after = op.value() == null ? 0 : StorageLimits.keyBytes(op.key()) + op.value().length;
                    delta += after - (before == null ? 0 : before);
                    sizes.put(op.key(), op.value() == null ? null : after);
                }
                StorageLimits.checkBudget(used, delta, maxRoomBytes);
                int deleted = write(c, ops);
                if (delta != 0 || raise) {
                    updateRoom(c, used + delta, raise ? fence : row.fence());
                }
                c.commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("storage write failed", e);
        }
    }

    @Override
    public void claimFence() {
        if (fence == UNFENCED) {
            throw new IllegalStateException("this room store was opened without a fencing token");
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                RoomRow row = lockRoom(c);
                if (admitFence(row)) {
                    updateRoom(c, row.bytes(), fence);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StorageException("storage write failed", e);
        }
    }

    /**
     * Refuses this store's token if the locked row's is newer; returns whether this token is newer than the
     * row's and must be stored. The caller holds the row lock until it commits, so no other owner's write
     * can come between this check and this write.
     */
    private boolean admitFence(RoomRow row) {
        if (fence == UNFENCED) {
            return false;
        }
        if (fence < row.fence()) {
            throw new FencedOutException(party, room, fence, row.fence());
        }
        return fence > row.fence();
    }

    private void updateRoom(Connection c, long bytes, long newFence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + t.rooms + " SET bytes = ?, fence = ? WHERE party = ? AND room = ?")) {
            ps.setLong(1, bytes);
            ps.setLong(2, newFence);
            ps.setString(3, party);
            ps.setString(4, room);
            ps.executeUpdate();
        }
    }

    /**
     * Locks the room's {@code rooms} row for this transaction, creating it on the room's first write, and
     * returns its byte count and fencing token. Every writer of the room, on any node, queues here, so
     * what it reads stays true until it commits.
     */
    private RoomRow lockRoom(Connection c) throws SQLException {
        String select = "SELECT bytes, fence FROM " + t.rooms + " WHERE party = ? AND room = ? FOR UPDATE";
        for (int attempt = 0; attempt < 2; attempt++) {
            try (PreparedStatement ps = c.prepareStatement(select)) {
                bindRoom(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new RoomRow(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            // a concurrent first writer may insert too: DO NOTHING waits for it, and the SELECT then sees its row
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + t.rooms + " (party, room) VALUES (?, ?)"
                    + " ON CONFLICT (party, room) DO NOTHING")) {
                bindRoom(ps);
                ps.executeUpdate();
            }
        }
        throw new SQLException("the rooms row of " + party + "/" + room + " vanished while locking it");
    }

    /** The stored size (key + value bytes) of each key of {@code ops} that exists; absent keys are not in the map. */
    private Map<String, Long> storedSizes(Connection c, List<Op> ops) throws SQLException {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        ops.forEach(op -> keys.add(op.key()));
        Map<String, Long> sizes = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT k, octet_length(k) + octet_length(v) FROM " + t.kv
                + " WHERE party = ? AND room = ? AND k = ANY (?)")) {
            bindRoom(ps);
            Array array = c.createArrayOf("text", keys.toArray());
            ps.setArray(3, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sizes.put(rs.getString(1), rs.getLong(2));
                }
            } finally {
                array.free();
            }
        }
        return sizes;
    }

    private int write(Connection c, List<Op> ops) throws SQLException {
        int deleted = 0;
        try (PreparedStatement up = c.prepareStatement("INSERT INTO " + t.kv + " (party, room, k, v) VALUES (?, ?, ?, ?)"
                + " ON CONFLICT (party, room, k) DO UPDATE SET v = EXCLUDED.v");
             PreparedStatement del = c.prepareStatement("DELETE FROM " + t.kv + " WHERE party = ? AND room = ? AND k = ?")) {
            // in order: a batch may put, delete and put the same key again
            for (Op op : ops) {
                PreparedStatement ps = op.value() == null ? del : up;
                bindRoom(ps);
                ps.setString(3, op.key());
                if (op.value() != null) {
                    ps.setBytes(4, op.value());
                }
                int n = ps.executeUpdate();
                if (op.value() == null) {
                    deleted += n;
                }
            }
        }
        return deleted;
    }
}
