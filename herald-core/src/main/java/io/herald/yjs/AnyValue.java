package io.herald.yjs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A JavaScript value as lib0's {@code writeAny}/{@code readAny} carry it (spec 2.5), also used for
 * the parsed JSON of Embed, Format and legacy JSON content. Immutable and thread-safe.
 *
 * <p>Numbers are doubles, as in JavaScript: the encoder picks varInt, float32 or float64 from the
 * value exactly as yjs does, so −0.0 and NaN are distinct values here. Objects keep JavaScript's
 * own-key order: array-index keys ascending, then the others in insertion order.
 */
public sealed interface AnyValue {
    AnyValue UNDEFINED = new Undefined();
    AnyValue NULL = new Null();
    AnyValue TRUE = new Bool(true);
    AnyValue FALSE = new Bool(false);

    static AnyValue of(boolean b) {
        return b ? TRUE : FALSE;
    }

    static AnyValue of(double d) {
        return new Num(d);
    }

    static AnyValue of(String s) {
        return new Str(s);
    }

    /** JavaScript {@code undefined}. */
    record Undefined() implements AnyValue {
    }

    /** JavaScript {@code null}. */
    record Null() implements AnyValue {
    }

    /** A boolean. */
    record Bool(boolean value) implements AnyValue {
    }

    /** A JavaScript number (IEEE-754 double). */
    record Num(double value) implements AnyValue {
    }

    /** A JavaScript BigInt that fits in 64 signed bits (tag 122). */
    record BigInt(long value) implements AnyValue {
    }

    /** A string (UTF-16, like JavaScript's). */
    record Str(String value) implements AnyValue {
        public Str {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A {@code Uint8Array}. The array is copied in and out, so the record stays immutable. */
    record Bytes(byte[] value) implements AnyValue {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        byte[] unsafeValue() {
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes[" + HexFormat.of().formatHex(value) + "]";
        }
    }

    /** An array. */
    record Arr(List<AnyValue> items) implements AnyValue {
        public Arr {
            items = List.copyOf(items);
        }
    }

    /** A plain object; the constructor puts the entries in JavaScript's own-key order. */
    record Obj(Map<String, AnyValue> entries) implements AnyValue {
        public Obj {
            entries = jsKeyOrder(entries);
        }

        private static Map<String, AnyValue> jsKeyOrder(Map<String, AnyValue> in) {
            List<String> indexKeys = new ArrayList<>();
            for (String k : in.keySet()) {
                if (isArrayIndex(k)) {
                    indexKeys.add(k);
                }
            }
            LinkedHashMap<String, AnyValue> out = new LinkedHashMap<>();
            if (!indexKeys.isEmpty()) {
                indexKeys.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
                for (String k : indexKeys) {
                    out.put(k, Objects.requireNonNull(in.get(k), k));
                }
            }
            for (Map.Entry<String, AnyValue> e : in.entrySet()) {
                if (!out.containsKey(e.getKey())) {
                    out.put(Objects.requireNonNull(e.getKey(), "key"), Objects.requireNonNull(e.getValue(), e.getKey()));
                }
            }
            return Collections.unmodifiableMap(out);
        }

        /** JavaScript's array index: the canonical decimal form of an integer in 0 .. 2^32 − 2. */
        static boolean isArrayIndex(String k) {
            int n = k.length();
            if (n == 0 || n > 10 || (n > 1 && k.charAt(0) == '0')) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                char c = k.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return Long.parseLong(k) <= 4294967294L;
        }
    }
}
