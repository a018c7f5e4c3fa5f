package io.herald.yjs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JavaScript's {@code JSON.parse} and {@code JSON.stringify} over {@link AnyValue}. yjs stores
 * Embed, Format values and legacy JSON content as JSON text and re-serializes it with
 * {@code JSON.stringify(JSON.parse(text))} whenever it merges, so the codec must do the same to
 * produce the same bytes (spec 7.2).
 */
final class JsonText {
    private final String s;
    private final int maxDepth;
    private int pos;

    private JsonText(String s, int maxDepth) {
        this.s = s;
        this.maxDepth = maxDepth;
    }

    /** {@code JSON.parse(text)}; throws {@link YjsFormatException} where JavaScript throws. */
    static AnyValue parse(String text, int maxDepth) {
        JsonText p = new JsonText(text, maxDepth);
        p.skipWhitespace();
        AnyValue v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error();
        }
        return v;
    }

    private AnyValue value(int depth) {
        if (pos >= s.length()) {
            throw error();
        }
        char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object(nested(depth));
            case '[':
                return array(nested(depth));
            case '"':
                return new AnyValue.Str(string());
            case 't':
                literal("true");
                return AnyValue.TRUE;
            case 'f':
                literal("false");
                return AnyValue.FALSE;
            case 'n':
                literal("null");
                return AnyValue.NULL;
            default:
                return number();
        }
    }

    private int nested(int depth) {
        if (depth >= maxDepth) {
            throw new YjsFormatException("JSON nested deeper than " + maxDepth);
        }
        return depth + 1;
    }

    private AnyValue object(int depth) {
        pos++;
        // JSON.parse defines properties (CreateDataProperty): "__proto__" is an ordinary key and
        // a repeated key replaces the value in its first position.
        Map<String, AnyValue> entries = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new AnyValue.Obj(entries);
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error();
            }
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            entries.put(key, value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') {
                return new AnyValue.Obj(entries);
            }
            if (c != ',') {
                throw error();
            }
        }
    }

    private AnyValue array(int depth) {
        pos++;
        List<AnyValue> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new AnyValue.Arr(items);
        }
        while (true) {
            skipWhitespace();
            items.add(value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') {
                return new AnyValue.Arr(items);
            }
            if (c != ',') {
                throw error();
            }
        }
    }

    private String string() {
        pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error();
            }
            char c = s.charAt(pos++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw error();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) {
                throw error();
            }
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> b.append(hex4());
                default -> throw error();
            }
        }
    }

    private char hex4() {
        if (pos + 4 > s.length()) {
            throw error();
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
                throw error();
            }
            v = v * 16 + d;
        }
        return (char) v;
    }

    private AnyValue number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error();
        }
        if (peek() == '.') {
            pos++;
            requireDigit();
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            requireDigit();
            digits();
        }
        // Double.parseDouble rounds to nearest like JavaScript; huge exponents give ±Infinity or 0.
        return new AnyValue.Num(Double.parseDouble(s.substring(start, pos)));
    }

    private void requireDigit() {
        if (!isDigit(peek())) {
            throw error();
        }
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) {
        if (!s.startsWith(word, pos)) {
            throw error();
        }
        pos += word.length();
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error();
        }
        pos++;
    }

    /** The next char, or U+FFFF past the end (which matches nothing the grammar accepts). */
    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\uFFFF';
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private YjsFormatException error() {
        return new YjsFormatException("invalid JSON text at offset " + pos);
    }

    /**
     * {@code JSON.stringify(value)}. Undefined inside an array becomes {@code null} and inside an
     * object drops the entry, as in JavaScript; values JSON cannot hold (top-level undefined,
     * BigInt, bytes) are refused.
     */
    static String stringify(AnyValue value) {
        StringBuilder b = new StringBuilder();
        if (!write(b, value)) {
            throw new YjsFormatException("undefined is not representable as JSON text");
        }
        return b.toString();
    }

    private static boolean write(StringBuilder b, AnyValue v) {
        if (v instanceof AnyValue.Undefined) {
            return false;
        } else if (v instanceof AnyValue.Null) {
            b.append("null");
        } else if (v instanceof AnyValue.Bool bool) {
            b.append(bool.value());
        } else if (v instanceof AnyValue.Num n) {
            b.append(Double.isFinite(n.value()) ? JsNumber.toString(n.value()) : "null");
        } else if (v instanceof AnyValue.Str str) {
            quote(b, str.value());
        } else if (v instanceof AnyValue.Arr a) {
            b.append('[');
            for (int i = 0; i < a.items().size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                if (!write(b, a.items().get(i))) {
                    b.append("null");
                }
            }
            b.append(']');
        } else if (v instanceof AnyValue.Obj o) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<String, AnyValue> e : o.entries().entrySet()) {
                if (e.getValue() instanceof AnyValue.Undefined) {
                    continue;
                }
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, e.getKey());
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else {
            throw new YjsFormatException("BigInt and byte arrays are not representable as JSON text");
        }
        return true;
    }

    /** ECMAScript QuoteJSONString: short escapes, \\u00xx for other controls and lone surrogates. */
    private static void quote(StringBuilder b, String s) {
        b.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || isLoneSurrogate(s, i)) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean isLoneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
