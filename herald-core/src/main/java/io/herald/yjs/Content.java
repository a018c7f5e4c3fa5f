package io.herald.yjs;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The content of an Item, one record per content ref of the v1 format (spec 3.3). Its
 * {@link #length()} is the number of clocks the Item covers. Immutable and thread-safe; every
 * record refuses a length of 0, which yjs never writes.
 */
public sealed interface Content {
    /** The content ref written in the low 5 bits of the Item's info byte. */
    int ref();

    /** How many clocks the content covers. */
    long length();

    /** Ref 1: deleted content that only keeps its length. */
    record Deleted(long length) implements Content {
        public Deleted {
            Structs.requireRange(0, length);
        }

        @Override
        public int ref() {
            return 1;
        }
    }

    /** Ref 2, legacy: JSON values, one clock each; {@link AnyValue#UNDEFINED} is allowed. */
    record Json(List<AnyValue> values) implements Content {
        public Json {
            values = requireNonEmpty(values);
        }

        @Override
        public int ref() {
            return 2;
        }

        @Override
        public long length() {
            return values.size();
        }
    }

    /** Ref 3: a {@code Uint8Array}, one clock. The array is copied in and out. */
    record Binary(byte[] bytes) implements Content {
        public Binary {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        byte[] unsafeBytes() {
            return bytes;
        }

        @Override
        public int ref() {
            return 3;
        }

        @Override
        public long length() {
            return 1;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Binary b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Binary[" + HexFormat.of().formatHex(bytes) + "]";
        }
    }

    /** Ref 4: text; its length is in UTF-16 code units, like JavaScript's. */
    record Str(String value) implements Content {
        public Str {
            if (value.isEmpty()) {
                throw new YjsFormatException("string content must not be empty");
            }
        }

        @Override
        public int ref() {
            return 4;
        }

        @Override
        public long length() {
            return value.length();
        }
    }

    /** Ref 5: a rich-text embed, a JSON value; one clock. */
    record Embed(AnyValue value) implements Content {
        public Embed {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public int ref() {
            return 5;
        }

        @Override
        public long length() {
            return 1;
        }
    }

    /** Ref 6: a rich-text formatting mark: attribute key and JSON value ({@code null} closes it). */
    record Format(String key, AnyValue value) implements Content {
        public Format {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public int ref() {
            return 6;
        }

        @Override
        public long length() {
            return 1;
        }
    }

    /**
     * Ref 7: a nested shared type. {@code name} is the XML node name (typeRef 3) or hook name
     * (typeRef 5) and is empty for every other typeRef.
     */
    record Type(int typeRef, Optional<String> name) implements Content {
        public static final int ARRAY = 0;
        public static final int MAP = 1;
        public static final int TEXT = 2;
        public static final int XML_ELEMENT = 3;
        public static final int XML_FRAGMENT = 4;
        public static final int XML_HOOK = 5;
        public static final int XML_TEXT = 6;

        public Type {
            if (typeRef < ARRAY || typeRef > XML_TEXT) {
                throw new YjsFormatException("unknown type ref " + typeRef);
            }
            boolean named = typeRef == XML_ELEMENT || typeRef == XML_HOOK;
            if (named != name.isPresent()) {
                throw new YjsFormatException("type ref " + typeRef + (named ? " needs" : " takes no") + " name");
            }
        }

        @Override
        public int ref() {
            return 7;
        }

        @Override
        public long length() {
            return 1;
        }
    }

    /** Ref 8: plain values (array elements or a map value), one clock each. */
    record Any(List<AnyValue> values) implements Content {
        public Any {
            values = requireNonEmpty(values);
        }

        @Override
        public int ref() {
            return 8;
        }

        @Override
        public long length() {
            return values.size();
        }
    }

    /**
     * Ref 9: a sub-document: its guid and options object; one clock. Decoding keeps the options
     * yjs keeps ({@code gc: false}, {@code autoLoad: true}, a non-null {@code meta}, in that order).
     */
    record Doc(String guid, AnyValue opts) implements Content {
        public Doc {
            Objects.requireNonNull(guid, "guid");
            Objects.requireNonNull(opts, "opts");
        }

        @Override
        public int ref() {
            return 9;
        }

        @Override
        public long length() {
            return 1;
        }
    }

    private static List<AnyValue> requireNonEmpty(List<AnyValue> values) {
        if (values.isEmpty()) {
            throw new YjsFormatException("content must hold at least one value");
        }
        return List.copyOf(values);
    }
}
