package io.herald.postgres.cdc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the messages of PostgreSQL's built-in {@code pgoutput} logical decoding plugin, protocol
 * version 1 (PostgreSQL docs, "Logical Replication Message Formats"), as pgjdbc's replication stream
 * hands them over: one message per buffer. Written here rather than taken from a library because the
 * only Java decoders ship inside Debezium, whose weight and threads Herald does not want. Stateless;
 * relation metadata is kept by the caller ({@link Relation} messages come before the rows that use them
 * and again after a schema change).
 */
public final class PgOutput {

    private PgOutput() {
    }

    /** One decoded message. */
    public sealed interface Message permits Begin, Commit, Relation, Insert, Update, Delete, Truncate, Other, Emitted {
    }

    /** A transaction starts; {@code finalLsn} is the LSN of its commit record. */
    public record Begin(long finalLsn, long commitMicros, int xid) implements Message {
    }

    /** The transaction ends; {@code endLsn} is where the next one starts: what to confirm once it is delivered. */
    public record Commit(long commitLsn, long endLsn, long commitMicros) implements Message {
    }

    /** One column of a relation: {@code key} when it is part of the replica identity. */
    public record Column(String name, int typeOid, int typeModifier, boolean key) {
    }

    /**
     * A table's shape: its id in this stream, schema, name, replica identity ({@code d} default,
     * {@code n} nothing, {@code f} full, {@code i} index) and columns in order.
     */
    public record Relation(int id, String schema, String name, char replicaIdentity, List<Column> columns) implements Message {
        public Relation {
            columns = List.copyOf(columns);
        }
    }

    /** How one column of a row was sent. */
    public enum Kind {
        /** SQL NULL. */
        NULL,
        /** A TOASTed value that the change did not touch and that PostgreSQL did not send. */
        UNCHANGED,
        /** The value in PostgreSQL's text format. */
        TEXT
    }

    /** One column value of a row; {@code text} only for {@link Kind#TEXT}. */
    public record Value(Kind kind, String text) {
        static final Value NULL = new Value(Kind.NULL, null);
        static final Value UNCHANGED = new Value(Kind.UNCHANGED, null);
    }

    /** A row: one value per column of its relation, in the relation's order. */
    public record Tuple(List<Value> values) {
        public Tuple {
            values = List.copyOf(values);
        }
    }

    public record Insert(int relationId, Tuple row) implements Message {
    }

    /**
     * An update: {@code old} is the old row's key columns ({@code oldKind} {@code K}) or the whole old row
     * ({@code O}, replica identity full), or null when neither was sent (the key did not change).
     */
    public record Update(int relationId, char oldKind, Tuple old, Tuple row) implements Message {
    }

    /** A delete: the old row's key ({@code K}) or whole row ({@code O}). */
    public record Delete(int relationId, char oldKind, Tuple old) implements Message {
    }

    /** {@code TRUNCATE} of one or more tables; {@code cascade} and {@code restartIdentity} from its options. */
    public record Truncate(List<Integer> relationIds, boolean cascade, boolean restartIdentity) implements Message {
        public Truncate {
            relationIds = List.copyOf(relationIds);
        }
    }

    /** A message Herald does not use (Origin, Type): its tag only. */
    public record Other(char tag) implements Message {
    }

    /**
     * A message written with {@code pg_logical_emit_message} (sent when the stream asks for
     * {@code messages}): Herald's heartbeats, which measure how far behind the stream is.
     */
    public record Emitted(boolean transactional, long lsn, String prefix, byte[] content) implements Message {
    }

    /** The relation a row message is about (a truncate's first), -1 for any other message. */
    public static int relationOf(Message m) {
        if (m instanceof Insert i) {
            return i.relationId();
        } else if (m instanceof Update u) {
            return u.relationId();
        } else if (m instanceof Delete d) {
            return d.relationId();
        } else if (m instanceof Truncate t && !t.relationIds().isEmpty()) {
            return t.relationIds().get(0);
        }
        return -1;
    }

    /**
     * Decodes one message.
     *
     * @throws IllegalArgumentException when the bytes are not a complete pgoutput v1 message
     */
    public static Message read(ByteBuffer buffer) {
        ByteBuffer in = buffer.slice();
        try {
            char tag = (char) in.get();
            return switch (tag) {
                case 'B' -> new Begin(in.getLong(), in.getLong(), in.getInt());
                case 'C' -> {
                    in.get(); // flags, unused in v1
                    yield new Commit(in.getLong(), in.getLong(), in.getLong());
                }
                case 'R' -> relation(in);
                case 'I' -> {
                    int rel = in.getInt();
                    expect(in, 'N');
                    yield new Insert(rel, tuple(in));
                }
                case 'U' -> {
                    int rel = in.getInt();
                    char kind = (char) in.get();
                    Tuple old = null;
                    char oldKind = 0;
                    if (kind == 'K' || kind == 'O') {
                        oldKind = kind;
                        old = tuple(in);
                        kind = (char) in.get();
                    }
                    if (kind != 'N') {
                        throw new IllegalArgumentException("update without a new row: " + kind);
                    }
                    yield new Update(rel, oldKind, old, tuple(in));
                }
                case 'D' -> {
                    int rel = in.getInt();
                    char kind = (char) in.get();
                    if (kind != 'K' && kind != 'O') {
                        throw new IllegalArgumentException("delete without an old row: " + kind);
                    }
                    yield new Delete(rel, kind, tuple(in));
                }
                case 'T' -> {
                    int n = in.getInt();
                    int options = in.get();
                    List<Integer> ids = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        ids.add(in.getInt());
                    }
                    yield new Truncate(ids, (options & 1) != 0, (options & 2) != 0);
                }
                case 'M' -> {
                    boolean transactional = (in.get() & 1) != 0;
                    long lsn = in.getLong();
                    String prefix = cstring(in);
                    int length = in.getInt();
                    if (length < 0 || length > in.remaining()) {
                        throw new IllegalArgumentException("bad message length " + length);
                    }
                    byte[] content = new byte[length];
                    in.get(content);
                    yield new Emitted(transactional, lsn, prefix, content);
                }
                case 'O', 'Y' -> new Other(tag);
                default -> throw new IllegalArgumentException("unknown pgoutput message '" + tag + "'");
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated pgoutput message", e);
        }
    }

    private static Relation relation(ByteBuffer in) {
        int id = in.getInt();
        String schema = cstring(in);
        String name = cstring(in);
        char identity = (char) in.get();
        int n = in.getShort();
        List<Column> columns = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int flags = in.get();
            String column = cstring(in);
            int type = in.getInt();
            int modifier = in.getInt();
            columns.add(new Column(column, type, modifier, (flags & 1) != 0));
        }
        return new Relation(id, schema, name, identity, columns);
    }

    private static Tuple tuple(ByteBuffer in) {
        int n = in.getShort();
        List<Value> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            char kind = (char) in.get();
            switch (kind) {
                case 'n' -> values.add(Value.NULL);
                case 'u' -> values.add(Value.UNCHANGED);
                case 't' -> {
                    int length = in.getInt();
                    if (length < 0 || length > in.remaining()) {
                        throw new IllegalArgumentException("bad value length " + length);
                    }
                    byte[] bytes = new byte[length];
                    in.get(bytes);
                    values.add(new Value(Kind.TEXT, new String(bytes, StandardCharsets.UTF_8)));
                }
                default -> throw new IllegalArgumentException("unknown column kind '" + kind + "' (binary format is not asked for)");
            }
        }
        return new Tuple(values);
    }

    private static void expect(ByteBuffer in, char tag) {
        char got = (char) in.get();
        if (got != tag) {
            throw new IllegalArgumentException("expected '" + tag + "', got '" + got + "'");
        }
    }

    private static String cstring(ByteBuffer in) {
        int start = in.position();
        while (in.get() != 0) {
            // to the terminating zero
        }
        byte[] bytes = new byte[in.position() - start - 1];
        in.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
