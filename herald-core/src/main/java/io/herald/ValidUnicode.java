package io.herald;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The one check that text entering Herald is valid Unicode, for every primitive: a Java string (as
 * Jackson parses {@code "\ud800"}) may hold a lone UTF-16 surrogate, which has no UTF-8 form. Accepted,
 * it would fail later at every write of the message (a stored channel event answering 500 on every
 * poll), so it is refused where it enters, with 400 {@code bad_request} naming the field.
 */
public final class ValidUnicode {
    private ValidUnicode() {
    }

    /**
     * Requires every string and field name in {@code node} to be valid Unicode.
     *
     * @param field the wire name of {@code node}, used in the error as the root of the path
     * @throws HeraldException 400 {@code bad_request} naming the first bad value's path
     */
    public static void require(JsonNode node, String field) {
        if (node == null) {
            return;
        }
        if (node.isTextual()) {
            require(node.textValue(), field);
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = field + "." + e.getKey();
                if (!isValid(e.getKey())) {
                    throw refusal(field + " has a field name that");
                }
                require(e.getValue(), path);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                require(node.get(i), field + "[" + i + "]");
            }
        }
    }

    /**
     * Requires {@code text} (null passes) to be valid Unicode.
     *
     * @throws HeraldException 400 {@code bad_request} naming {@code field}
     */
    public static void require(String text, String field) {
        if (text != null && !isValid(text)) {
            throw refusal(field);
        }
    }

    /** Whether every surrogate in {@code s} is half of a pair. */
    public static boolean isValid(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static HeraldException refusal(String what) {
        // the value itself is not echoed: it is the client's data, and not printable anyway
        return new HeraldException(ErrorCode.BAD_REQUEST, what + " is not valid Unicode (a lone UTF-16 surrogate).");
    }
}
