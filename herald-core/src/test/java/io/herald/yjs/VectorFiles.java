package io.herald.yjs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the yjs vectors (src/test/resources/vectors, written by yjs 13.6.33) and renders the codec's model in the
 * same plain-JSON shape the generator used, so decoded views compare directly.
 */
final class VectorFiles {
    static final HexFormat HEX = HexFormat.of();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private VectorFiles() {
    }

    static JsonNode load(String name) {
        try (InputStream in = VectorFiles.class.getResourceAsStream("/vectors/" + name)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] hex(JsonNode node) {
        return HEX.parseHex(node.asText());
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Numbers compare by value (the generator's 1 and our 1.0 are the same JavaScript number). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> {
            if (x.isNumber() && y.isNumber()) {
                return x.decimalValue().compareTo(y.decimalValue());
            }
            return x.equals(y) ? 0 : 1;
        }, b);
    }

    /** The generator's {@code plain()} marker format turned back into a value. */
    static AnyValue fromPlain(JsonNode n) {
        if (n.isNull()) {
            return AnyValue.NULL;
        }
        if (n.isBoolean()) {
            return AnyValue.of(n.booleanValue());
        }
        if (n.isNumber()) {
            return AnyValue.of(n.doubleValue());
        }
        if (n.isTextual()) {
            return AnyValue.of(n.textValue());
        }
        if (n.isArray()) {
            List<AnyValue> items = new ArrayList<>();
            n.forEach(x -> items.add(fromPlain(x)));
            return new AnyValue.Arr(items);
        }
        if (n.has("$undefined")) {
            return AnyValue.UNDEFINED;
        }
        if (n.has("$bigint")) {
            return new AnyValue.BigInt(Long.parseLong(n.get("$bigint").asText()));
        }
        if (n.has("$bytes")) {
            return new AnyValue.Bytes(hex(n.get("$bytes")));
        }
        if (n.has("$number")) {
            return AnyValue.of(Double.parseDouble(n.get("$number").asText()));
        }
        Map<String, AnyValue> entries = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> entries.put(e.getKey(), fromPlain(e.getValue())));
        return new AnyValue.Obj(entries);
    }

    static JsonNode plain(AnyValue v) {
        if (v instanceof AnyValue.Undefined) {
            return F.objectNode().put("$undefined", true);
        } else if (v instanceof AnyValue.Null) {
            return F.nullNode();
        } else if (v instanceof AnyValue.Bool b) {
            return F.booleanNode(b.value());
        } else if (v instanceof AnyValue.Num num) {
            double d = num.value();
            if (!Double.isFinite(d)) {
                return F.objectNode().put("$number", Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
            }
            return d == Math.rint(d) && Math.abs(d) < 0x1p63 ? F.numberNode((long) d) : F.numberNode(d);
        } else if (v instanceof AnyValue.BigInt b) {
            return F.objectNode().put("$bigint", Long.toString(b.value()));
        } else if (v instanceof AnyValue.Str s) {
            return F.textNode(s.value());
        } else if (v instanceof AnyValue.Bytes b) {
            return F.objectNode().put("$bytes", hex(b.value()));
        } else if (v instanceof AnyValue.Arr a) {
            ArrayNode out = F.arrayNode();
            a.items().forEach(x -> out.add(plain(x)));
            return out;
        }
        ObjectNode out = F.objectNode();
        ((AnyValue.Obj) v).entries().forEach((k, x) -> out.set(k, plain(x)));
        return out;
    }

    static JsonNode view(YUpdate u) {
        ObjectNode out = F.objectNode();
        ArrayNode structs = out.putArray("structs");
        u.structs().forEach(s -> structs.add(view(s)));
        ArrayNode ds = out.putArray("deleteSet");
        for (DeleteSet.ClientDeletes c : u.deleteSet().clients()) {
            ObjectNode cn = ds.addObject().put("client", c.client());
            ArrayNode ranges = cn.putArray("ranges");
            c.ranges().forEach(r -> ranges.addArray().add(r.clock()).add(r.length()));
        }
        return out;
    }

    static JsonNode view(Struct s) {
        ObjectNode out = F.objectNode();
        out.put("kind", s instanceof Struct.Item ? "Item" : s instanceof Struct.Gc ? "GC" : "Skip");
        out.put("client", s.client()).put("clock", s.clock()).put("length", s.length());
        if (s instanceof Struct.Item item) {
            out.set("origin", item.origin().<JsonNode>map(VectorFiles::view).orElse(F.nullNode()));
            out.set("rightOrigin", item.rightOrigin().<JsonNode>map(VectorFiles::view).orElse(F.nullNode()));
            out.set("parent", item.parent().<JsonNode>map(VectorFiles::view).orElse(F.nullNode()));
            out.set("parentSub", item.parentSub().<JsonNode>map(F::textNode).orElse(F.nullNode()));
            out.set("content", view(item.content()));
        }
        return out;
    }

    private static JsonNode view(Id id) {
        return F.objectNode().put("client", id.client()).put("clock", id.clock());
    }

    private static JsonNode view(Parent p) {
        if (p instanceof Parent.Root r) {
            return F.objectNode().put("rootName", r.name());
        }
        ObjectNode out = F.objectNode();
        out.set("parentId", view(((Parent.OfItem) p).id()));
        return out;
    }

    private static JsonNode view(Content c) {
        ObjectNode out = F.objectNode();
        if (c instanceof Content.Str s) {
            out.put("kind", "String").put("ref", 4).put("str", s.value());
        } else if (c instanceof Content.Deleted d) {
            out.put("kind", "Deleted").put("ref", 1).put("len", d.length());
        } else if (c instanceof Content.Any a) {
            out.put("kind", "Any").put("ref", 8).set("values", plain(new AnyValue.Arr(a.values())));
        } else if (c instanceof Content.Json j) {
            out.put("kind", "JSON").put("ref", 2).set("values", plain(new AnyValue.Arr(j.values())));
        } else if (c instanceof Content.Binary b) {
            out.put("kind", "Binary").put("ref", 3).put("bytes", hex(b.bytes()));
        } else if (c instanceof Content.Embed e) {
            out.put("kind", "Embed").put("ref", 5).set("embed", plain(e.value()));
        } else if (c instanceof Content.Format f) {
            out.put("kind", "Format").put("ref", 6).put("key", f.key()).set("value", plain(f.value()));
        } else if (c instanceof Content.Doc d) {
            out.put("kind", "Doc").put("ref", 9).put("guid", d.guid()).set("opts", plain(d.opts()));
        } else {
            Content.Type t = (Content.Type) c;
            String[] names = {"YArray", "YMap", "YText", "YXmlElement", "YXmlFragment", "YXmlHook", "YXmlText"};
            out.put("kind", "Type").put("ref", 7).put("typeRef", t.typeRef()).put("typeName", names[t.typeRef()]);
            t.name().ifPresent(n -> out.put(t.typeRef() == Content.Type.XML_ELEMENT ? "nodeName" : "hookName", n));
        }
        return out;
    }
}
