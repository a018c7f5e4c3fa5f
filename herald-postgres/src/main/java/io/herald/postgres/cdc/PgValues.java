package io.herald.postgres.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Turns a column value in PostgreSQL's text format into the JSON a {@code postgres_changes} event
 * carries, by the column's type OID: booleans and integers as JSON booleans and numbers, {@code
 * numeric} as a string (no precision lost in a client's doubles), floats as numbers (NaN and the
 * infinities as strings), {@code json}/{@code jsonb} embedded as JSON, {@code bytea} as base64,
 * timestamps as ISO-8601 in UTC, arrays of these as JSON arrays, everything else as its text.
 * Stateless and thread-safe.
 */
public final class PgValues {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** PostgreSQL's text format of a timestamp: date, time, optional fraction, optional zone (+hh, +hh:mm, +hh:mm:ss). */
    private static final DateTimeFormatter PG_TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final DateTimeFormatter PG_TIMESTAMPTZ = new DateTimeFormatterBuilder()
            .append(PG_TIMESTAMP).appendPattern("[XXXXX][XXX][X]").toFormatter();

    static final int BOOL = 16;
    static final int BYTEA = 17;
    static final int INT8 = 20;
    static final int INT2 = 21;
    static final int INT4 = 23;
    static final int OID = 26;
    static final int JSON_OID = 114;
    static final int FLOAT4 = 700;
    static final int FLOAT8 = 701;
    static final int TIMESTAMP = 1114;
    static final int TIMESTAMPTZ = 1184;
    static final int NUMERIC = 1700;
    static final int JSONB = 3802;

    private PgValues() {
    }

    /** The JSON of {@code text}, a value of type {@code typeOid}; JSON null for null. */
    public static JsonNode toJson(int typeOid, String text) {
        if (text == null) {
            return NullNode.instance;
        }
        int element = elementOf(typeOid);
        if (element != 0) {
            return array(element, text);
        }
        return scalar(typeOid, text);
    }

    private static JsonNode scalar(int type, String text) {
        switch (type) {
            case BOOL:
                return NODES.booleanNode("t".equals(text) || "true".equals(text));
            case INT2, INT4, INT8, OID:
                return NODES.numberNode(Long.parseLong(text));
            case FLOAT4, FLOAT8:
                try {
                    double d = Double.parseDouble(text);
                    return Double.isFinite(d) ? NODES.numberNode(new BigDecimal(text)) : NODES.textNode(text);
                } catch (NumberFormatException e) {
                    return NODES.textNode(text);
                }
            case JSON_OID, JSONB:
                try {
                    return JSON.readTree(text);
                } catch (java.io.IOException e) {
                    return NODES.textNode(text);
                }
            case BYTEA:
                return NODES.textNode(Base64.getEncoder().encodeToString(bytea(text)));
            case TIMESTAMP:
                return NODES.textNode(timestamp(text, false));
            case TIMESTAMPTZ:
                return NODES.textNode(timestamp(text, true));
            default:
                // numeric, text, varchar, uuid, date, time, interval, enums...: their text is their JSON
                return NODES.textNode(text);
        }
    }

    /** A timestamp as ISO-8601 in UTC ({@code ...Z}); {@code infinity} and out-of-range values as PostgreSQL wrote them. */
    static String timestamp(String text, boolean withZone) {
        try {
            if (withZone) {
                return OffsetDateTime.parse(text, PG_TIMESTAMPTZ).withOffsetSameInstant(ZoneOffset.UTC).toInstant().toString();
            }
            return LocalDateTime.parse(text, PG_TIMESTAMP).toInstant(ZoneOffset.UTC).toString();
        } catch (java.time.format.DateTimeParseException e) {
            return text;
        }
    }

    /** {@code bytea}'s text format: {@code \x} and hex (the default since PostgreSQL 9.0). */
    static byte[] bytea(String text) {
        if (text.startsWith("\\x")) {
            return HexFormat.of().parseHex(text.substring(2));
        }
        throw new IllegalArgumentException("bytea in escape format; set bytea_output = hex");
    }

    /** The element type of an array type Herald converts, 0 for any other type. */
    static int elementOf(int arrayOid) {
        return switch (arrayOid) {
            case 1000 -> BOOL;
            case 1001 -> BYTEA;
            case 1005 -> INT2;
            case 1007 -> INT4;
            case 1016 -> INT8;
            case 1021 -> FLOAT4;
            case 1022 -> FLOAT8;
            case 1231 -> NUMERIC;
            case 1115 -> TIMESTAMP;
            case 1185 -> TIMESTAMPTZ;
            case 199 -> JSON_OID;
            case 3807 -> JSONB;
            case 1009, 1015, 2951, 1182 -> 25; // text, varchar, uuid, date: their text
            default -> 0;
        };
    }

    /** An array literal ({@code {1,2,NULL}}, {@code {"a b","c\"d"}}, nested {@code {{1,2},{3,4}}}) as JSON arrays. */
    static JsonNode array(int element, String text) {
        int[] at = {0};
        if (text.startsWith("[")) {
            // explicit bounds ("[0:1]={...}"): the elements are what matter
            at[0] = text.indexOf('=') + 1;
        }
        return arrayAt(element, text, at);
    }

    private static ArrayNode arrayAt(int element, String s, int[] at) {
        if (s.charAt(at[0]) != '{') {
            throw new IllegalArgumentException("not an array literal: " + s);
        }
        at[0]++;
        ArrayNode out = NODES.arrayNode();
        if (s.charAt(at[0]) == '}') {
            at[0]++;
            return out;
        }
        while (true) {
            char c = s.charAt(at[0]);
            if (c == '{') {
                out.add(arrayAt(element, s, at));
            } else if (c == '"') {
                StringBuilder b = new StringBuilder();
                at[0]++;
                while (s.charAt(at[0]) != '"') {
                    if (s.charAt(at[0]) == '\\') {
                        at[0]++;
                    }
                    b.append(s.charAt(at[0]++));
                }
                at[0]++;
                out.add(scalar(element, b.toString()));
            } else {
                int start = at[0];
                while (s.charAt(at[0]) != ',' && s.charAt(at[0]) != '}') {
                    at[0]++;
                }
                String item = s.substring(start, at[0]);
                out.add(item.equals("NULL") ? NullNode.instance : scalar(element, item));
            }
            char next = s.charAt(at[0]++);
            if (next == '}') {
                return out;
            }
            if (next != ',') {
                throw new IllegalArgumentException("bad array literal: " + s);
            }
        }
    }
}
