package io.herald.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The embedded {@link Storage}: one SQLite file in WAL mode with {@code synchronous=FULL}, one table
 * keyed by (party, room, key). A single connection serialises writers, which is what SQLite wants;
 * reads are point or prefix lookups on the primary key. Fencing tokens live in a second table,
 * {@code room_fence (party, room, fence)}, outside the rooms' keys and budgets; a file written before
 * it existed gets it on open, and its rooms read as token 0. Thread-safe (calls lock the connection).
 */
public final class SqliteStorage implements Storage {
    private static final int USAGE_CACHE = 10_000;
    /** The token of a store opened without one; never stored, since fenced tokens are positive. */
    private static final long UNFENCED = 0;
    private final Path path;
    private final Object lock = new Object();
    private Connection db;
    private final long maxRoomBytes;
    private final Map<String, Long> usage = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > USAGE_CACHE;
        }
    };

    /**
     * Opens (creating if needed) the database file at {@code path}.
     *
     * @param maxRoomBytes the byte budget of each room (keys + values)
     */
    public SqliteStorage(Path path, long maxRoomBytes) {
        this.path = path;
        this.maxRoomBytes = maxRoomBytes;
    }

    /** The connection, opened on first use so an instance that never stores anything creates no file. */
    private Connection db() {
        if (db != null) {
            return db;
        }
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath());
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS room_kv (party TEXT NOT NULL, room TEXT NOT NULL, k TEXT NOT NULL,"
                        + " v BLOB NOT NULL, PRIMARY KEY (party, room, k)) WITHOUT ROWID");
                // added after the first release: IF NOT EXISTS upgrades an older file in place, and a room
                // without a row has token 0, which is what every room of an older file had
                s.execute("CREATE TABLE IF NOT EXISTS room_fence (party TEXT NOT NULL, room TEXT NOT NULL,"
                        + " fence INTEGER NOT NULL, PRIMARY KEY (party, room)) WITHOUT ROWID");
            }
            db = c;
            return c;
        } catch (SQLException | java.io.IOException e) {
            throw new StorageException("cannot open storage at " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public RoomStore room(String party, String room) {
        return new SqliteRoomStore(party, room, UNFENCED);
    }

    @Override
    public RoomStore room(String party, String room, long fence) {
        return new SqliteRoomStore(party, room, StorageLimits.checkFence(fence));
    }

    @Override
    public void close() {
        synchronized (lock) {
            try {
                if (db != null) {
                    db.close();
                }
            } catch (SQLException e) {
                // closing: nothing left to protect
            }
        }
    }

    private long used(String party, String room) throws SQLException {
        String key = party + "\u0000" + room;
        Long u = usage.get(key);
        if (u == null) {
            try (PreparedStatement ps = db().prepareStatement(
                    "SELECT COALESCE(SUM(length(CAST(k AS BLOB)) + length(v)), 0) FROM room_kv WHERE party = ? AND room = ?")) {
                ps.setString(1, party);
                ps.setString(2, room);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    u = rs.getLong(1);
                }
            }
            usage.put(key, u);
        }
        return u;
    }

    private Long existingSize(String party, String room, String k) throws SQLException {
        try (PreparedStatement ps = db().prepareStatement(
                "SELECT length(CAST(k AS BLOB)) + length(v) FROM room_kv WHERE party = ? AND room = ? AND k = ?")) {
            ps.setString(1, party);
            ps.setString(2, room);
            ps.setString(3, k);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    /** The room's stored fencing token, 0 when none was stored. Call under {@code lock}. */
    private long storedFence(String party, String room) throws SQLException {
        try (PreparedStatement ps = db().prepareStatement("SELECT fence FROM room_fence WHERE party = ? AND room = ?")) {
            ps.setString(1, party);
            ps.setString(2, room);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private void storeFence(String party, String room, long fence) throws SQLException {
        try (PreparedStatement ps = db().prepareStatement("INSERT OR REPLACE INTO room_fence (party, room, fence) VALUES (?, ?, ?)")) {
            ps.setString(1, party);
            ps.setString(2, room);
            ps.setLong(3, fence);
            ps.executeUpdate();
        }
    }

    private final class SqliteRoomStore implements RoomStore {
        private final String party;
        private final String room;
        private final long fence;

        SqliteRoomStore(String party, String room, long fence) {
            this.party = party;
            this.room = room;
            this.fence = fence;
        }

        /**
         * Refuses this store's token if the room's stored one is newer; returns whether this token is newer
         * than the stored one and must be stored. Reading and writing under {@code lock} on the one
         * connection makes check and write atomic: no other writer of this file runs in between.
         */
        private boolean admitFence() throws SQLException {
            if (fence == UNFENCED) {
                return false;
            }
            long stored = storedFence(party, room);
            if (fence < stored) {
                throw new FencedOutException(party, room, fence, stored);
            }
            return fence > stored;
        }

        @Override
        public void claimFence() {
            if (fence == UNFENCED) {
                throw new IllegalStateException("this room store was opened without a fencing token");
            }
            synchronized (lock) {
                try {
                    if (admitFence()) {
                        storeFence(party, room, fence);
                    }
                } catch (SQLException e) {
                    throw new StorageException("storage write failed", e);
                }
            }
        }

        @Override
        public Optional<byte[]> get(String key) {
            StorageLimits.keyBytes(key);
            synchronized (lock) {
                try (PreparedStatement ps = db().prepareStatement("SELECT v FROM room_kv WHERE party = ? AND room = ? AND k = ?")) {
                    ps.setString(1, party);
                    ps.setString(2, room);
                    ps.setString(3, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                    }
                } catch (SQLException e) {
                    throw new StorageException("storage read failed", e);
                }
            }
        }

        @Override
        public void put(String key, byte[] value) {
            apply(List.of(new Op(key, value)));
        }

        @Override
        public boolean delete(String key) {
            StorageLimits.keyBytes(key);
            return apply(List.of(new Op(key, null))) > 0;
        }

        @Override
        public SortedMap<String, byte[]> list(String prefix) {
            String p = prefix == null ? "" : prefix;
            SortedMap<String, byte[]> out = new TreeMap<>();
            synchronized (lock) {
                try (PreparedStatement ps = db().prepareStatement(
                        "SELECT k, v FROM room_kv WHERE party = ? AND room = ? AND k >= ? ORDER BY k")) {
                    ps.setString(1, party);
                    ps.setString(2, room);
                    ps.setString(3, p);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String k = rs.getString(1);
                            if (!k.startsWith(p)) {
                                break;
                            }
                            out.put(k, rs.getBytes(2));
                        }
                    }
                } catch (SQLException e) {
                    throw new StorageException("storage read failed", e);
                }
            }
            return out;
        }

        @Override
        public void batch(Consumer<Batch> ops) {
            apply(Op.collect(ops));
        }

        @Override
        public long maxBytes() {
            return maxRoomBytes;
        }

        @Override
        public long bytesUsed() {
            synchronized (lock) {
                try {
                    return used(party, room);
                } catch (SQLException e) {
                    throw new StorageException("storage read failed", e);
                }
            }
        }

        /** Validates, checks the budget, then writes all ops in one transaction. Returns rows deleted. */
        private int apply(List<Op> ops) {
            for (Op op : ops) {
                StorageLimits.keyBytes(op.key());
                if (op.value() != null) {
                    StorageLimits.checkValue(op.value());
                }
            }
            if (ops.isEmpty()) {
                return 0;
            }
            synchronized (lock) {
                try {
                    // before the budget: a stale owner must hear that it is stale, whatever it writes
                    boolean raise = admitFence();
                    long used = used(party, room);
                    Map<String, Long> sizes = new HashMap<>();
                    long delta = 0;
                    for (Op op : ops) {
                        Long before = sizes.containsKey(op.key()) ? sizes.get(op.key()) : existingSize(party, room, op.key());
                        long after = op.value() == null ? 0 : StorageLimits.keyBytes(op.key()) + op.value().length;
                        delta += after - (before == null ? 0 : before);
                        sizes.put(op.key(), op.value() == null ? null : after);
                    }
                    StorageLimits.checkBudget(used, delta, maxRoomBytes);
                    int deleted = write(ops, raise);
                    usage.put(party + "\u0000" + room, used + delta);
                    return deleted;
                } catch (SQLException e) {
                    usage.remove(party + "\u0000" + room);
                    throw new StorageException("storage write failed", e);
                }
            }
        }

        private int write(List<Op> ops, boolean raiseFence) throws SQLException {
            db().setAutoCommit(false);
            int deleted = 0;
            try (PreparedStatement up = db().prepareStatement("INSERT OR REPLACE INTO room_kv (party, room, k, v) VALUES (?, ?, ?, ?)");
                 PreparedStatement del = db().prepareStatement("DELETE FROM room_kv WHERE party = ? AND room = ? AND k = ?")) {
                for (Op op : ops) {
                    PreparedStatement ps = op.value() == null ? del : up;
                    ps.setString(1, party);
                    ps.setString(2, room);
                    ps.setString(3, op.key());
                    if (op.value() != null) {
                        ps.setBytes(4, op.value());
                    }
                    int n = ps.executeUpdate();
                    if (op.value() == null) {
                        deleted += n;
                    }
                }
                if (raiseFence) {
                    storeFence(party, room, fence);
                }
                db().commit();
                return deleted;
            } catch (SQLException | RuntimeException e) {
                db().rollback();
                throw e;
            } finally {
                db().setAutoCommit(true);
            }
        }
    }
}
