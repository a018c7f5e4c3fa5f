package io.herald.postgres.cdc;

import io.herald.broadcast.ChangeEvent;
import io.herald.config.CdcConfig;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Turns recorded pgoutput messages into the postgres_changes events {@link PostgresCdc} publishes for
 * them, without a database: for benchmarks and tools that replay a recorded stream. Relations are
 * remembered by id as they are described and rows of configured tables are mapped by the reader's own
 * row mapping, so what comes out is what the reader hands the broker; publishing, confirming and
 * metering are left to the caller. Not thread-safe: one decoder per stream, as the reader has one per
 * session.
 */
public final class ChangeDecoder {
    /**
     * One row change of a configured table: its event, or null and the reason it was skipped (the
     * {@code reason} of {@code herald_cdc_skipped_total}); with the commit LSN of its transaction and its
     * number among the transaction's published changes, from which the reader makes its publish key.
     */
    public record Change(ChangeEvent event, String skipped, long commitLsn, int index) {
        /** The key the reader publishes the event under: commit LSN and index, in log order as strings. */
        public String key() {
            return PostgresCdc.key(commitLsn, index);
        }
    }

    private final Map<String, CdcConfig.Source> tables;
    private final Map<Integer, ChangeRows> relations = new HashMap<>();
    private final Set<Integer> unconfigured = new HashSet<>();
    private long commitLsn;
    private int index;

    /** A decoder for the tables of {@link CdcConfig.Postgres#tables()} (keys {@code schema.table}). */
    public ChangeDecoder(Map<String, CdcConfig.Source> tables) {
        this.tables = Map.copyOf(tables);
    }

    /**
     * Decodes one message: a row change yields its {@link Change}; a begin, commit, relation, truncate or
     * any other message yields null (a truncate is not a row: the reader publishes it to every scope).
     *
     * @throws IllegalArgumentException when the bytes are not a pgoutput v1 message
     * @throws IllegalStateException for a row of a relation that was never described
     */
    public Change next(ByteBuffer message) {
        return accept(PgOutput.read(message));
    }

    /** Takes one decoded message, as {@link #next} does: the slot reader's way in, which also sees the message itself. */
    Change accept(PgOutput.Message m) {
        if (m instanceof PgOutput.Begin b) {
            commitLsn = b.finalLsn();
            index = 0;
        } else if (m instanceof PgOutput.Relation r) {
            CdcConfig.Source s = tables.get(r.schema() + "." + r.name());
            if (s == null) {
                relations.remove(r.id());
                unconfigured.add(r.id());
            } else {
                relations.put(r.id(), new ChangeRows(r, s));
                unconfigured.remove(r.id());
            }
        } else if (m instanceof PgOutput.Insert i) {
            return row(i.relationId(), rows -> rows.insert(i));
        } else if (m instanceof PgOutput.Update u) {
            return row(u.relationId(), rows -> rows.update(u));
        } else if (m instanceof PgOutput.Delete d) {
            return row(d.relationId(), rows -> rows.delete(d));
        }
        return null;
    }

    /** The rows of the configured table with relation id {@code id} as last described, or null. */
    ChangeRows relation(int id) {
        return relations.get(id);
    }

    private Change row(int relationId, java.util.function.Function<ChangeRows, ChangeRows.Mapped> map) {
        ChangeRows rows = relations.get(relationId);
        if (rows == null) {
            if (!unconfigured.contains(relationId)) {
                throw new IllegalStateException("a row of relation " + relationId + " before its description");
            }
            return new Change(null, "unconfigured_table", commitLsn, -1);
        }
        ChangeRows.Mapped mapped = map.apply(rows);
        if (mapped.event() == null) {
            return new Change(null, mapped.skipped().reason, commitLsn, -1);
        }
        return new Change(mapped.event(), null, commitLsn, index++);
    }
}
