package io.herald.yjs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads, writes and slices Item content (spec 3.3 and 6.3). Writing is canonical re-serialization,
 * as yjs does on every merge and diff: JSON text goes through parse and stringify, Any values
 * through the canonical number and key-order rules, strings through the U+FFFD-replacing encoder.
 */
final class ContentCodec {
    private ContentCodec() {
    }

    static Content read(int ref, Lib0Decoder d) {
        int depth = d.limits().maxNestingDepth();
        switch (ref) {
            case 1:
                return new Content.Deleted(d.readVarUint());
            case 2: {
                int n = d.readCount("JSON entry");
                List<AnyValue> values = new ArrayList<>(Math.min(n, 16));
                for (int i = 0; i < n; i++) {
                    String text = d.readVarString();
                    values.add(text.equals("undefined") ? AnyValue.UNDEFINED : JsonText.parse(text, depth));
                }
                return new Content.Json(values);
            }
            case 3:
                return new Content.Binary(d.readVarUint8Array());
            case 4:
                return new Content.Str(d.readVarString());
            case 5:
                return new Content.Embed(JsonText.parse(d.readVarString(), depth));
            case 6: {
                String key = d.readVarString();
                return new Content.Format(key, JsonText.parse(d.readVarString(), depth));
            }
            case 7: {
                long typeRef = d.readVarUint();
                if (typeRef > Content.Type.XML_TEXT) {
                    throw new YjsFormatException("unknown type ref " + typeRef);
                }
                boolean named = typeRef == Content.Type.XML_ELEMENT || typeRef == Content.Type.XML_HOOK;
                return new Content.Type((int) typeRef, named ? Optional.of(d.readVarString()) : Optional.empty());
            }
            case 8: {
                int n = d.readCount("Any value");
                List<AnyValue> values = new ArrayList<>(Math.min(n, 16));
                for (int i = 0; i < n; i++) {
                    values.add(AnyCodec.read(d));
                }
                return new Content.Any(values);
            }
            case 9: {
                String guid = d.readVarString();
                return new Content.Doc(guid, docOptions(AnyCodec.read(d)));
            }
            default:
                throw new YjsFormatException("unknown content ref " + ref);
        }
    }

    /**
     * The options yjs keeps for a sub-document: it builds a {@code Y.Doc} from the options read and
     * re-derives them from it, so only {@code gc: false}, {@code autoLoad: true} and a non-null
     * {@code meta} survive, in that order (checked against yjs in node). Null or undefined options
     * make yjs throw.
     */
    private static AnyValue docOptions(AnyValue read) {
        if (read instanceof AnyValue.Null || read instanceof AnyValue.Undefined) {
            throw new YjsFormatException("sub-document options must not be null or undefined");
        }
        Map<String, AnyValue> in = read instanceof AnyValue.Obj o ? o.entries() : Map.of();
        Map<String, AnyValue> out = new LinkedHashMap<>();
        AnyValue gc = in.get("gc");
        if (gc != null && !(gc instanceof AnyValue.Undefined) && !isTruthy(gc)) {
            out.put("gc", AnyValue.FALSE);
        }
        AnyValue autoLoad = in.get("autoLoad");
        if (autoLoad != null && isTruthy(autoLoad)) {
            out.put("autoLoad", AnyValue.TRUE);
        }
        AnyValue meta = in.get("meta");
        if (meta != null && !(meta instanceof AnyValue.Undefined) && !(meta instanceof AnyValue.Null)) {
            out.put("meta", meta);
        }
        return new AnyValue.Obj(out);
    }

    /** JavaScript truthiness. */
    private static boolean isTruthy(AnyValue v) {
        if (v instanceof AnyValue.Undefined || v instanceof AnyValue.Null) {
            return false;
        } else if (v instanceof AnyValue.Bool b) {
            return b.value();
        } else if (v instanceof AnyValue.Num n) {
            return n.value() != 0 && !Double.isNaN(n.value());
        } else if (v instanceof AnyValue.BigInt b) {
            return b.value() != 0;
        } else if (v instanceof AnyValue.Str s) {
            return !s.value().isEmpty();
        }
        return true;
    }

    static void write(Lib0Encoder e, Content content) {
        if (content instanceof Content.Str s) {
            e.writeVarString(s.value());
        } else if (content instanceof Content.Any a) {
            e.writeVarUint(a.values().size());
            for (AnyValue v : a.values()) {
                AnyCodec.write(e, v);
            }
        } else if (content instanceof Content.Deleted del) {
            e.writeVarUint(del.length());
        } else if (content instanceof Content.Json j) {
            e.writeVarUint(j.values().size());
            for (AnyValue v : j.values()) {
                e.writeVarString(v instanceof AnyValue.Undefined ? "undefined" : JsonText.stringify(v));
            }
        } else if (content instanceof Content.Binary b) {
            e.writeVarUint8Array(b.unsafeBytes());
        } else if (content instanceof Content.Embed em) {
            e.writeVarString(JsonText.stringify(em.value()));
        } else if (content instanceof Content.Format f) {
            e.writeVarString(f.key());
            e.writeVarString(JsonText.stringify(f.value()));
        } else if (content instanceof Content.Type t) {
            e.writeVarUint(t.typeRef());
            t.name().ifPresent(e::writeVarString);
        } else {
            Content.Doc doc = (Content.Doc) content;
            e.writeVarString(doc.guid());
            AnyCodec.write(e, doc.opts());
        }
    }

    /** The right part of {@code content} from clock offset {@code d}, 0 &lt; d &lt; length. */
    static Content sliceFrom(Content content, long d) {
        if (d <= 0 || d >= content.length()) {
            throw new YjsFormatException("cannot slice content of length " + content.length() + " at " + d);
        }
        int at = (int) Math.min(d, Integer.MAX_VALUE);
        if (content instanceof Content.Str s) {
            String v = s.value();
            String right = v.substring(at);
            // A cut inside a surrogate pair: yjs turns both halves into U+FFFD, keeping lengths.
            if (Character.isHighSurrogate(v.charAt(at - 1))) {
                right = '\uFFFD' + right.substring(1);
            }
            return new Content.Str(right);
        } else if (content instanceof Content.Any a) {
            return new Content.Any(a.values().subList(at, a.values().size()));
        } else if (content instanceof Content.Json j) {
            return new Content.Json(j.values().subList(at, j.values().size()));
        } else if (content instanceof Content.Deleted del) {
            return new Content.Deleted(del.length() - d);
        }
        throw new YjsFormatException("content ref " + content.ref() + " cannot be sliced");
    }
}
