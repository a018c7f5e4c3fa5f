package io.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Values written as YAML on one line ({@code [a, b]}, {@code { k: v }}, quoted only where YAML needs it). Stateless. */
final class YamlText {
    /** A string YAML reads back as itself when written plain, in a flow collection too. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./][A-Za-z0-9_./$*-]*");
    private static final Pattern LOOKS_LIKE_SOMETHING_ELSE = Pattern.compile(
            "(?i)true|false|yes|no|on|off|y|n|null|~|\\.inf|\\.nan"
                    + "|[-+]?(0x[0-9a-f_]+|0o?[0-7_]+|[0-9][0-9_]*(\\.[0-9_]*)?(e[-+]?[0-9]+)?|\\.[0-9_]+(e[-+]?[0-9]+)?)");

    private YamlText() {
    }

    /** {@code value} as YAML on one line. */
    static String inline(JsonNode value) {
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(v -> items.add(inline(v)));
            return "[" + String.join(", ", items) + "]";
        }
        if (value.isObject()) {
            if (value.isEmpty()) {
                return "{}";
            }
            List<String> entries = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                entries.add(text(e.getKey()) + ": " + inline(e.getValue()));
            }
            return "{ " + String.join(", ", entries) + " }";
        }
        return value.isTextual() ? text(value.asText()) : value.toString();
    }

    /** A string, plain where YAML reads it back unchanged, else double-quoted (a JSON string is a YAML one). */
    static String text(String s) {
        boolean plain = PLAIN.matcher(s).matches() && !LOOKS_LIKE_SOMETHING_ELSE.matcher(s).matches();
        return plain ? s : com.fasterxml.jackson.databind.node.TextNode.valueOf(s).toString();
    }
}
