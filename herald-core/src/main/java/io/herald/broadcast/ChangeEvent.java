package io.herald.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.ValidUnicode;
import java.util.Locale;

/**
 * A postgres_changes event to publish: a row of {@code table} inserted, updated or deleted.
 * {@code newRow} is null for DELETE and {@code oldRow} null for INSERT, whatever was passed.
 * {@code schema} is the table's schema as the source knows it (null: the table's configured schema);
 * {@code unchanged} names the columns whose values the source did not have (a large value an UPDATE
 * left unchanged, which PostgreSQL's log does not repeat), left out of {@code newRow}.
 */
public record ChangeEvent(String table, Type eventType, JsonNode newRow, JsonNode oldRow, Target target,
                          String schema, java.util.List<String> unchanged) {

    /** The kind of change; TRUNCATE comes only from change capture, as an event without rows or scope of its own. */
    public enum Type { INSERT, UPDATE, DELETE, TRUNCATE }

    /** A change as the publish API describes it: the table's configured schema, every value present. */
    public ChangeEvent(String table, Type eventType, JsonNode newRow, JsonNode oldRow, Target target) {
        this(table, eventType, newRow, oldRow, target, null, java.util.List.of());
    }

    public ChangeEvent {
        unchanged = unchanged == null ? java.util.List.of() : java.util.List.copyOf(unchanged);
        if (eventType == Type.TRUNCATE) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "eventType must be INSERT, UPDATE or DELETE.");
        }
        if (table == null || table.isEmpty()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "table is required.");
        }
        if (eventType == null) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "eventType must be INSERT, UPDATE or DELETE.");
        }
        if (target == null) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "organizationId or scopeKey is required.");
        }
        ValidUnicode.require(table, "table");
        newRow = eventType == Type.DELETE ? NullNode.instance : nullToNode(newRow);
        oldRow = eventType == Type.INSERT ? NullNode.instance : nullToNode(oldRow);
        if (eventType != Type.DELETE && !newRow.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "new must be an object for " + eventType + ".");
        }
        if (eventType == Type.DELETE && !oldRow.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "old must be an object for DELETE.");
        }
        if (!oldRow.isNull() && !oldRow.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "old must be an object or null.");
        }
        ValidUnicode.require(newRow, "new");
        ValidUnicode.require(oldRow, "old");
    }

    private static JsonNode nullToNode(JsonNode n) {
        return n == null ? NullNode.instance : n;
    }

    /** Parses the body of {@code POST /broadcast/v1/changes}. */
    public static ChangeEvent fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "The body must be a JSON object.");
        }
        String table = Target.optionalText(body, "table");
        String type = Target.optionalText(body, "eventType");
        Type t;
        try {
            t = type == null ? null : Type.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            t = null;
        }
        if (t == null || t == Type.TRUNCATE) {
            throw new HeraldException(ErrorCode.BAD_REQUEST, "eventType must be INSERT, UPDATE or DELETE.");
        }
        return new ChangeEvent(table, t, body.get("new"), body.get("old"), Target.fromJson(body));
    }
}
