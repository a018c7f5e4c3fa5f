package io.herald.client;

import java.util.Objects;

/**
 * A {@code postgres_changes} event for {@code POST /broadcast/v1/changes}: a row of a table the server
 * configures under {@code broadcast.tables} was inserted, updated or deleted. The rows are any value
 * the client's Jackson {@code ObjectMapper} writes as a JSON object (a {@code Map}, a record, a
 * {@code JsonNode}); the server projects and masks them per role.
 *
 * @param table  the table's name as configured (an unknown one gets 400 {@code unknown_table})
 * @param type   INSERT, UPDATE or DELETE
 * @param newRow the row after the change; required for INSERT and UPDATE, not sent for DELETE
 * @param oldRow the row before the change; required for DELETE, optional for UPDATE, not sent for INSERT
 * @param target the organization or resource scope, optionally one user in it
 */
public record Change(String table, Type type, Object newRow, Object oldRow, Target target) {

    /** The kind of change. */
    public enum Type { INSERT, UPDATE, DELETE }

    public Change {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        if (type == Type.INSERT) {
            oldRow = null;
        } else if (type == Type.DELETE) {
            newRow = null;
        }
    }

    /** {@code row} was inserted into {@code table}. */
    public static Change insert(String table, Target target, Object row) {
        return new Change(table, Type.INSERT, Objects.requireNonNull(row, "row"), null, target);
    }

    /** A row of {@code table} changed from {@code oldRow} (may be null: not sent) to {@code newRow}. */
    public static Change update(String table, Target target, Object newRow, Object oldRow) {
        return new Change(table, Type.UPDATE, Objects.requireNonNull(newRow, "newRow"), oldRow, target);
    }

    /** {@code oldRow} was deleted from {@code table}. */
    public static Change delete(String table, Target target, Object oldRow) {
        return new Change(table, Type.DELETE, null, Objects.requireNonNull(oldRow, "oldRow"), target);
    }
}
