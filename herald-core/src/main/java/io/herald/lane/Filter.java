package io.herald.lane;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * One subscription filter: string values by key. {@code type} is compared with the envelope type;
 * every other key with the payload's top-level field of that name, which matches when it is a string
 * equal to the value or a number/boolean whose JSON text equals it. A filter without {@code type}
 * matches any envelope type. Equal when the key/value sets are equal. Immutable.
 */
public final class Filter {
    private final Map<String, String> fields;
    private final String type;

    Filter(Map<String, String> fields) {
        // most filters have one key: Map.of's pair is 24 bytes where a sorted map of one is about 130
        this.fields = fields.size() == 1 ? Map.copyOf(fields) : java.util.Collections.unmodifiableMap(new TreeMap<>(fields));
        this.type = this.fields.get("type");
    }

    public Map<String, String> fields() {
        return fields;
    }

    /** Whether an envelope of {@code envelopeType} with {@code payload} (null when absent) matches. */
    public boolean matches(String envelopeType, JsonNode payload) {
        if (type != null && !type.equals(envelopeType)) {
            return false;
        }
        for (Map.Entry<String, String> f : fields.entrySet()) {
            if (f.getKey().equals("type")) {
                continue;
            }
            if (payload == null || !payload.isObject()) {
                return false;
            }
            JsonNode v = payload.get(f.getKey());
            if (v == null || !(v.isTextual() ? v.asText().equals(f.getValue())
                    : (v.isNumber() || v.isBoolean()) && v.asText().equals(f.getValue()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads one filter from a client frame: an object with at least one key, all values strings,
     * {@code type} trimmed and non-empty. Returns null for a malformed one.
     */
    static Filter parse(JsonNode n) {
        if (n == null || !n.isObject() || n.isEmpty() || n.size() > 32) {
            return null;
        }
        Map<String, String> fields = new TreeMap<>();
        var it = n.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isTextual() || e.getKey().length() > 256 || e.getValue().asText().length() > 1024) {
                return null;
            }
            String value = e.getValue().asText();
            if (e.getKey().equals("type")) {
                value = value.trim();
                if (value.isEmpty()) {
                    return null;
                }
            }
            fields.put(e.getKey(), value);
        }
        return new Filter(fields);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Filter f && f.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
