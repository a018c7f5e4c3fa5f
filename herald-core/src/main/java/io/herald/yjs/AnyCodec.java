package io.herald.yjs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * lib0 {@code readAny} / {@code writeAny} (spec 2.5). The writer is canonical: yjs decodes and
 * re-encodes every value when it merges, so numbers take the form yjs would pick, not the form
 * they arrived in.
 */
final class AnyCodec {
    private static final double MAX_VAR_INT = 2147483647;

    private AnyCodec() {
    }

    static AnyValue read(Lib0Decoder d) {
        return read(d, 0);
    }

    private static AnyValue read(Lib0Decoder d, int depth) {
        int tag = d.readUint8();
        return switch (tag) {
            case 127 -> AnyValue.UNDEFINED;
            case 126 -> AnyValue.NULL;
            case 125 -> new AnyValue.Num(d.readVarInt());
            case 124 -> new AnyValue.Num(d.readFloat32());
            case 123 -> new AnyValue.Num(d.readFloat64());
            case 122 -> new AnyValue.BigInt(d.readBigInt64());
            case 121 -> AnyValue.FALSE;
            case 120 -> AnyValue.TRUE;
            case 119 -> new AnyValue.Str(d.readVarString());
            case 118 -> readObject(d, nested(d, depth));
            case 117 -> readArray(d, nested(d, depth));
            case 116 -> new AnyValue.Bytes(d.readVarUint8Array());
            default -> throw new YjsFormatException("unknown Any tag " + tag);
        };
    }

    private static int nested(Lib0Decoder d, int depth) {
        if (depth >= d.limits().maxNestingDepth()) {
            throw new YjsFormatException("Any value nested deeper than " + d.limits().maxNestingDepth());
        }
        return depth + 1;
    }

    private static AnyValue readObject(Lib0Decoder d, int depth) {
        int n = d.readCount("object entry");
        Map<String, AnyValue> entries = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String key = d.readVarString();
            AnyValue value = read(d, depth);
            // lib0 assigns obj[key] = value: "__proto__" sets the prototype and is no own key,
            // and a repeated key overwrites the value in its first position.
            if (!key.equals("__proto__")) {
                entries.put(key, value);
            }
        }
        return new AnyValue.Obj(entries);
    }

    private static AnyValue readArray(Lib0Decoder d, int depth) {
        int n = d.readCount("array element");
        List<AnyValue> items = new ArrayList<>(Math.min(n, 16));
        for (int i = 0; i < n; i++) {
            items.add(read(d, depth));
        }
        return new AnyValue.Arr(items);
    }

    static void write(Lib0Encoder e, AnyValue v) {
        if (v instanceof AnyValue.Undefined) {
            e.writeUint8(127);
        } else if (v instanceof AnyValue.Null) {
            e.writeUint8(126);
        } else if (v instanceof AnyValue.Num n) {
            writeNumber(e, n.value());
        } else if (v instanceof AnyValue.BigInt b) {
            e.writeUint8(122);
            e.writeBigInt64(b.value());
        } else if (v instanceof AnyValue.Bool b) {
            e.writeUint8(b.value() ? 120 : 121);
        } else if (v instanceof AnyValue.Str s) {
            e.writeUint8(119);
            e.writeVarString(s.value());
        } else if (v instanceof AnyValue.Obj o) {
            e.writeUint8(118);
            e.writeVarUint(o.entries().size());
            for (Map.Entry<String, AnyValue> en : o.entries().entrySet()) {
                e.writeVarString(en.getKey());
                write(e, en.getValue());
            }
        } else if (v instanceof AnyValue.Arr a) {
            e.writeUint8(117);
            e.writeVarUint(a.items().size());
            for (AnyValue item : a.items()) {
                write(e, item);
            }
        } else {
            e.writeUint8(116);
            e.writeVarUint8Array(((AnyValue.Bytes) v).unsafeValue());
        }
    }

    /** yjs's choice: small integers (−0 included) as varInt, then float32 if exact, else float64. */
    private static void writeNumber(Lib0Encoder e, double v) {
        if (v == Math.rint(v) && Math.abs(v) <= MAX_VAR_INT) {
            e.writeUint8(125);
            boolean negative = v < 0 || (v == 0 && 1 / v < 0);
            e.writeVarInt((long) Math.abs(v), negative);
        } else if ((double) (float) v == v) {
            e.writeUint8(124);
            e.writeFloat32((float) v);
        } else {
            e.writeUint8(123);
            e.writeFloat64(v);
        }
    }
}
