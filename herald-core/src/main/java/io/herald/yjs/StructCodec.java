package io.herald.yjs;

import java.util.Optional;

/** Reads, writes and slices single structs (spec 3.1, 6.2 and 6.3). */
final class StructCodec {
    private static final int SKIP_INFO = 10;
    private static final int HAS_ORIGIN = 0x80;
    private static final int HAS_RIGHT_ORIGIN = 0x40;
    private static final int HAS_PARENT_SUB = 0x20;
    private static final int REF_MASK = 0x1F;

    private StructCodec() {
    }

    static Struct read(Lib0Decoder d, long client, long clock) {
        int info = d.readUint8();
        if (info == SKIP_INFO) {
            return new Struct.Skip(client, clock, d.readVarUint());
        }
        int ref = info & REF_MASK;
        if (ref == 0) {
            return new Struct.Gc(client, clock, d.readVarUint());
        }
        if (ref > 9) {
            throw new YjsFormatException("unknown content ref " + ref);
        }
        Optional<Id> origin = (info & HAS_ORIGIN) != 0 ? Optional.of(readId(d)) : Optional.empty();
        Optional<Id> rightOrigin = (info & HAS_RIGHT_ORIGIN) != 0 ? Optional.of(readId(d)) : Optional.empty();
        Optional<Parent> parent = Optional.empty();
        Optional<String> parentSub = Optional.empty();
        // The parent is on the wire only when neither origin is: otherwise the receiver copies it.
        if (origin.isEmpty() && rightOrigin.isEmpty()) {
            parent = Optional.of(d.readVarUint() == 1 ? new Parent.Root(d.readVarString()) : new Parent.OfItem(readId(d)));
            if ((info & HAS_PARENT_SUB) != 0) {
                parentSub = Optional.of(d.readVarString());
            }
        }
        Content content = ContentCodec.read(ref, d);
        return new Struct.Item(client, clock, origin, rightOrigin, parent, parentSub, content);
    }

    private static Id readId(Lib0Decoder d) {
        long client = d.readVarUint();
        return new Id(client, d.readVarUint());
    }

    static void write(Lib0Encoder e, Struct s) {
        if (s instanceof Struct.Item item) {
            writeItem(e, item);
        } else {
            e.writeUint8(s instanceof Struct.Skip ? SKIP_INFO : 0);
            e.writeVarUint(s.length());
        }
    }

    private static void writeItem(Lib0Encoder e, Struct.Item item) {
        int info = item.content().ref()
                | (item.origin().isPresent() ? HAS_ORIGIN : 0)
                | (item.rightOrigin().isPresent() ? HAS_RIGHT_ORIGIN : 0)
                | (item.parentSub().isPresent() ? HAS_PARENT_SUB : 0);
        e.writeUint8(info);
        item.origin().ifPresent(id -> writeId(e, id));
        item.rightOrigin().ifPresent(id -> writeId(e, id));
        if (item.hasParentOnWire()) {
            Parent parent = item.parent().orElseThrow();
            if (parent instanceof Parent.Root root) {
                e.writeVarUint(1);
                e.writeVarString(root.name());
            } else {
                e.writeVarUint(0);
                writeId(e, ((Parent.OfItem) parent).id());
            }
            item.parentSub().ifPresent(e::writeVarString);
        }
        ContentCodec.write(e, item.content());
    }

    private static void writeId(Lib0Encoder e, Id id) {
        e.writeVarUint(id.client());
        e.writeVarUint(id.clock());
    }

    /**
     * The right part {@code [clock + d, end)} of {@code s}, 0 &lt; d &lt; length (spec 6.3). A sliced
     * Item's origin is the last clock of the left part, so its parent no longer goes on the wire;
     * its parentSub is kept and still sets the 0x20 flag, as in yjs.
     */
    static Struct sliceFrom(Struct s, long d) {
        if (d == 0) {
            return s;
        }
        long clock = s.clock() + d;
        if (s instanceof Struct.Gc) {
            return new Struct.Gc(s.client(), clock, s.length() - d);
        }
        if (s instanceof Struct.Skip) {
            return new Struct.Skip(s.client(), clock, s.length() - d);
        }
        Struct.Item item = (Struct.Item) s;
        return new Struct.Item(item.client(), clock, Optional.of(new Id(item.client(), clock - 1)),
                item.rightOrigin(), item.parent(), item.parentSub(), ContentCodec.sliceFrom(item.content(), d));
    }
}
