package io.herald.postgres.cdc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.HeraldException;
import io.herald.broadcast.ChangeEvent;
import io.herald.broadcast.Target;
import io.herald.config.CdcConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the row messages of one configured table into the postgres_changes event the publish API
 * would make of the same row: {@code new} from the new tuple, {@code old} as the replica identity
 * gives it (the whole old row with {@code REPLICA IDENTITY FULL}, else its key columns), TOASTed
 * values the change left unchanged taken from the old row when the log has it there, else left out
 * and named in {@code unchanged}, and the target built from the source's columns. Built per relation
 * message (a relation is described again after DDL); immutable.
 */
final class ChangeRows {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Why a row was not published (the {@code reason} of {@code herald_cdc_skipped_total}). */
    enum Skip {
        /** The column naming the row's organization, scope or user is NULL. */
        NULL_SCOPE("null_scope"),
        /** A delete whose old row (its key, without REPLICA IDENTITY FULL) lacks the scope's columns. */
        SCOPE_NOT_IN_OLD_ROW("scope_not_in_old_row"),
        /** The scope built from the row is not a valid scope key (too long, spaces ...). */
        INVALID_SCOPE("invalid_scope"),
        /** A column the source names is not in the table. */
        MISSING_COLUMN("missing_column");

        final String reason;

        Skip(String reason) {
            this.reason = reason;
        }
    }

    /** A row's event, or why it has none. */
    record Mapped(ChangeEvent event, Skip skipped) {
    }

    final PgOutput.Relation relation;
    final String qualified;
    private final CdcConfig.Source source;
    private final Map<String, Integer> index = new java.util.HashMap<>();

    ChangeRows(PgOutput.Relation relation, CdcConfig.Source source) {
        this.relation = relation;
        this.qualified = relation.schema() + "." + relation.name();
        this.source = source;
        for (int i = 0; i < relation.columns().size(); i++) {
            index.put(relation.columns().get(i).name(), i);
        }
    }

    Mapped insert(PgOutput.Insert m) {
        Row row = row(m.row(), null);
        return event(ChangeEvent.Type.INSERT, row, null, m.row());
    }

    Mapped update(PgOutput.Update m) {
        boolean full = m.oldKind() == 'O';
        Row row = row(m.row(), full ? m.old() : null);
        // without an old tuple the key did not change: the new row's key columns are the old ones
        ObjectNode old = full ? row(m.old(), null).json : keyColumns(m.old() != null ? m.old() : m.row());
        return event(ChangeEvent.Type.UPDATE, row, old, m.row());
    }

    Mapped delete(PgOutput.Delete m) {
        ObjectNode old = m.oldKind() == 'O' ? row(m.old(), null).json : keyColumns(m.old());
        return event(ChangeEvent.Type.DELETE, null, old, m.old());
    }

    private Mapped event(ChangeEvent.Type type, Row row, ObjectNode old, PgOutput.Tuple routing) {
        Target target;
        try {
            target = target(routing, type == ChangeEvent.Type.DELETE);
        } catch (Unroutable u) {
            return new Mapped(null, u.skip);
        } catch (HeraldException e) {
            return new Mapped(null, Skip.INVALID_SCOPE);
        }
        return new Mapped(new ChangeEvent(relation.name(), type, row == null ? null : row.json, old, target,
                relation.schema(), row == null ? List.of() : row.unchanged), null);
    }

    private Target target(PgOutput.Tuple tuple, boolean oldRow) throws Unroutable {
        Target t;
        if (source.organizationColumn() != null) {
            t = Target.organization(text(tuple, source.organizationColumn(), oldRow));
        } else {
            StringBuilder key = new StringBuilder();
            String template = source.scopeKey();
            int at = 0;
            while (at < template.length()) {
                int open = template.indexOf('{', at);
                if (open < 0) {
                    key.append(template, at, template.length());
                    break;
                }
                int close = template.indexOf('}', open);
                key.append(template, at, open).append(text(tuple, template.substring(open + 1, close), oldRow));
                at = close + 1;
            }
            t = Target.scope(key.toString());
        }
        return source.userColumn() == null ? t : t.user(text(tuple, source.userColumn(), oldRow));
    }

    /** A routing column's value as text (the scope is built from what the database holds, not its JSON form). */
    private String text(PgOutput.Tuple tuple, String column, boolean oldRow) throws Unroutable {
        Integer i = index.get(column);
        if (i == null) {
            throw new Unroutable(Skip.MISSING_COLUMN);
        }
        PgOutput.Value v = tuple.values().get(i);
        if (v.kind() == PgOutput.Kind.TEXT) {
            return v.text();
        }
        if (oldRow && !relation.columns().get(i).key() && relation.replicaIdentity() != 'f') {
            throw new Unroutable(Skip.SCOPE_NOT_IN_OLD_ROW);
        }
        throw new Unroutable(Skip.NULL_SCOPE);
    }

    /** The columns of the replica identity, from a tuple that has them. */
    private ObjectNode keyColumns(PgOutput.Tuple tuple) {
        ObjectNode out = NODES.objectNode();
        List<PgOutput.Column> columns = relation.columns();
        for (int i = 0; i < columns.size(); i++) {
            PgOutput.Column c = columns.get(i);
            if (c.key()) {
                PgOutput.Value v = tuple.values().get(i);
                if (v.kind() != PgOutput.Kind.UNCHANGED) {
                    out.set(c.name(), PgValues.toJson(c.typeOid(), v.text()));
                }
            }
        }
        return out;
    }

    /** A tuple as JSON; values left unchanged are taken from {@code old} when it has them, else named in {@code unchanged}. */
    private Row row(PgOutput.Tuple tuple, PgOutput.Tuple old) {
        ObjectNode out = NODES.objectNode();
        List<String> unchanged = new ArrayList<>(0);
        List<PgOutput.Column> columns = relation.columns();
        for (int i = 0; i < columns.size(); i++) {
            PgOutput.Column c = columns.get(i);
            PgOutput.Value v = tuple.values().get(i);
            if (v.kind() == PgOutput.Kind.UNCHANGED) {
                PgOutput.Value before = old == null ? null : old.values().get(i);
                if (before == null || before.kind() == PgOutput.Kind.UNCHANGED) {
                    unchanged.add(c.name());
                    continue;
                }
                v = before;
            }
            out.set(c.name(), PgValues.toJson(c.typeOid(), v.text()));
        }
        return new Row(out, unchanged);
    }

    private record Row(ObjectNode json, List<String> unchanged) {
    }

    /** A row that cannot be routed to a scope; thrown only within this class, without a stack trace. */
    private static final class Unroutable extends Exception {
        final Skip skip;

        Unroutable(Skip skip) {
            super(skip.reason, null, false, false);
            this.skip = skip;
        }
    }
}
