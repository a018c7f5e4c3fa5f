package io.herald.yjs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * jqwik generators for structurally valid updates built from the model: every content ref and
 * type ref, Any values of every tag (NaN, −0, index keys), GC and Skip runs, delete sets. Clients
 * are distinct and descending, as yjs writes them; values avoid what does not survive a round
 * trip by design (lone surrogates, −0 and non-finite numbers in JSON, {@code __proto__} keys).
 */
final class UpdateArbitraries {
    private static final long MAX_CLIENT = 4294967295L;

    private UpdateArbitraries() {
    }

    static Arbitrary<String> strings() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between('a', 'z')),
                Tuple.of(1, Arbitraries.of(0x00, 0x0A, 0x22, 0x5C, 0x7F, 0xE9, 0x2028, 0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF)),
                Tuple.of(1, Arbitraries.integers().between(0x80, 0x10FFFF).filter(c -> c < 0xD800 || c > 0xDFFF)));
        return codePoint.list().ofMaxSize(6).map(cps -> {
            StringBuilder b = new StringBuilder();
            cps.forEach(b::appendCodePoint);
            return b.toString();
        });
    }

    private static Arbitrary<String> keys() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("a", "b", "title", "0", "1", "10", "01", "4294967294", "4294967295", "é😀")),
                Tuple.of(1, strings()));
    }

    private static Arbitrary<AnyValue> numbers() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(-3000, 3000).map(i -> AnyValue.of(i)),
                Arbitraries.of(0.5, 1.5, 0.1, -0.0, 2147483647.0, -2147483647.0, 2147483648.0, -2147483648.0,
                        9007199254740991.0, 1e21, 5e-324, Double.NaN, Double.POSITIVE_INFINITY,
                        Double.NEGATIVE_INFINITY, 3.4028234663852886e38).map(AnyValue::of),
                Arbitraries.doubles().map(AnyValue::of));
    }

    static Arbitrary<AnyValue> anyValues(int depth) {
        Arbitrary<AnyValue> leaf = Arbitraries.oneOf(
                Arbitraries.of(AnyValue.UNDEFINED, AnyValue.NULL, AnyValue.TRUE, AnyValue.FALSE),
                numbers(),
                Arbitraries.longs().map(AnyValue.BigInt::new),
                strings().map(AnyValue::of),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(6).map(AnyValue.Bytes::new));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<AnyValue> child = Arbitraries.lazy(() -> anyValues(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(5, leaf),
                Tuple.of(1, child.list().ofMaxSize(4).map(AnyValue.Arr::new)),
                Tuple.of(1, objects(keys().filter(k -> !k.equals("__proto__")), child)));
    }

    /** Values that survive JSON.stringify then JSON.parse unchanged. */
    static Arbitrary<AnyValue> jsonValues(int depth) {
        Arbitrary<AnyValue> leaf = Arbitraries.oneOf(
                Arbitraries.of(AnyValue.NULL, AnyValue.TRUE, AnyValue.FALSE),
                numbers().filter(n -> {
                    double d = ((AnyValue.Num) n).value();
                    return Double.isFinite(d) && Double.doubleToRawLongBits(d) != Double.doubleToRawLongBits(-0.0);
                }),
                strings().map(AnyValue::of));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<AnyValue> child = Arbitraries.lazy(() -> jsonValues(depth - 1));
        return Arbitraries.frequencyOf(
                Tuple.of(4, leaf),
                Tuple.of(1, child.list().ofMaxSize(3).map(AnyValue.Arr::new)),
                Tuple.of(1, objects(keys(), child)));
    }

    private static Arbitrary<AnyValue> objects(Arbitrary<String> keys, Arbitrary<AnyValue> values) {
        return Combinators.combine(keys, values).as(Map::entry).list().ofMaxSize(4).map(entries -> {
            Map<String, AnyValue> m = new LinkedHashMap<>();
            entries.forEach(e -> m.put(e.getKey(), e.getValue()));
            return new AnyValue.Obj(m);
        });
    }

    static Arbitrary<Content> contents() {
        Arbitrary<AnyValue> docOpts = Combinators.combine(Arbitraries.of(false, true), Arbitraries.of(false, true),
                jsonValues(1).injectNull(0.5)).as((gcOff, autoLoad, meta) -> {
                    Map<String, AnyValue> m = new LinkedHashMap<>();
                    if (gcOff) {
                        m.put("gc", AnyValue.FALSE);
                    }
                    if (autoLoad) {
                        m.put("autoLoad", AnyValue.TRUE);
                    }
                    if (meta != null && !(meta instanceof AnyValue.Null)) {
                        m.put("meta", meta);
                    }
                    return new AnyValue.Obj(m);
                });
        return Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.longs().between(1, 1000).map(Content.Deleted::new)),
                Tuple.of(1, Arbitraries.oneOf(jsonValues(2), Arbitraries.just(AnyValue.UNDEFINED))
                        .list().ofMinSize(1).ofMaxSize(4).map(Content.Json::new)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(8).map(Content.Binary::new)),
                Tuple.of(4, strings().filter(s -> !s.isEmpty()).map(Content.Str::new)),
                Tuple.of(1, jsonValues(2).map(Content.Embed::new)),
                Tuple.of(1, Combinators.combine(keys(), jsonValues(1)).as(Content.Format::new)),
                Tuple.of(1, Combinators.combine(Arbitraries.integers().between(0, 6), strings()).as((ref, name) ->
                        new Content.Type(ref, ref == 3 || ref == 5 ? Optional.of(name) : Optional.empty()))),
                Tuple.of(3, anyValues(2).list().ofMinSize(1).ofMaxSize(5).map(Content.Any::new)),
                Tuple.of(1, Combinators.combine(strings(), docOpts).as(Content.Doc::new)));
    }

    /** One struct of a client, as a function of where it lands. */
    private interface StructSpec {
        Struct at(long client, long clock);
    }

    private static Arbitrary<StructSpec> itemSpecs() {
        Arbitrary<Optional<Id>> ids = Combinators.combine(Arbitraries.longs().between(0, MAX_CLIENT),
                Arbitraries.longs().between(0, 1L << 40)).as(Id::new).optional(0.5);
        Arbitrary<Parent> parents = Arbitraries.oneOf(
                strings().map(Parent.Root::new),
                Combinators.combine(Arbitraries.longs().between(0, MAX_CLIENT), Arbitraries.longs().between(0, 5000))
                        .as((c, k) -> new Parent.OfItem(new Id(c, k))));
        return Combinators.combine(ids, ids, parents, keys().optional(0.4), contents()).as((o, ro, p, sub, c) -> {
            boolean onWire = o.isEmpty() && ro.isEmpty();
            return (client, clock) -> new Struct.Item(client, clock, o, ro,
                    onWire ? Optional.of(p) : Optional.empty(), onWire ? sub : Optional.empty(), c);
        });
    }

    private static Arbitrary<StructSpec> structSpecs() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, itemSpecs()),
                Tuple.of(1, Arbitraries.longs().between(1, 50).map(n -> (client, clock) -> new Struct.Gc(client, clock, n))),
                Tuple.of(1, Arbitraries.longs().between(1, 50).map(n -> (client, clock) -> new Struct.Skip(client, clock, n))));
    }

    private static Arbitrary<List<StructSpec>> runs() {
        // A run never starts with a Skip: no yjs writer produces one.
        return Combinators.combine(itemSpecs(), structSpecs().list().ofMaxSize(5)).as((head, tail) -> {
            List<StructSpec> run = new ArrayList<>();
            run.add(head);
            run.addAll(tail);
            return run;
        });
    }

    static Arbitrary<YUpdate> updates() {
        Arbitrary<Long> startClock = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0L)), Tuple.of(1, Arbitraries.longs().between(1, 2000)));
        Arbitrary<List<Long>> clients = Arbitraries.oneOf(Arbitraries.longs().between(0, MAX_CLIENT), Arbitraries.of(1L, 2L, 3735928559L, MAX_CLIENT))
                .list().ofMaxSize(4).uniqueElements();
        Arbitrary<DeleteSet.Range> ranges = Combinators.combine(Arbitraries.longs().between(0, 3000),
                Arbitraries.longs().between(0, 60)).as(DeleteSet.Range::new);
        Arbitrary<DeleteSet> deleteSets = Combinators.combine(Arbitraries.longs().between(0, MAX_CLIENT),
                ranges.list().ofMinSize(1).ofMaxSize(4)).as(DeleteSet.ClientDeletes::new)
                .list().ofMaxSize(3).uniqueElements(DeleteSet.ClientDeletes::client).map(DeleteSet::new);
        return clients.flatMap(ids -> Combinators.combine(
                runs().list().ofSize(ids.size()), startClock.list().ofSize(ids.size()), deleteSets).as((runList, starts, ds) -> {
                    List<Long> sorted = new ArrayList<>(ids);
                    sorted.sort((a, b) -> Long.compare(b, a));
                    List<Struct> structs = new ArrayList<>();
                    for (int i = 0; i < sorted.size(); i++) {
                        long clock = starts.get(i);
                        for (StructSpec spec : runList.get(i)) {
                            Struct s = spec.at(sorted.get(i), clock);
                            structs.add(s);
                            clock = s.end();
                        }
                    }
                    return new YUpdate(structs, ds);
                }));
    }
}
