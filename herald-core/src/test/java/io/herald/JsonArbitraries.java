package io.herald;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Random JSON trees for property tests of decoders of client JSON. */
public final class JsonArbitraries {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonArbitraries() {
    }

    /** Any scalar: strings (often empty, blank or long), integers of every size, doubles, booleans, null. */
    public static Arbitrary<JsonNode> scalars() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(12).map(NODES::textNode),
                Arbitraries.of("", " ", " x ", "ping", "subscribe").map(NODES::textNode),
                Arbitraries.strings().withChars('a').ofMinLength(1020).ofMaxLength(1030).map(NODES::textNode),
                Arbitraries.integers().map(NODES::numberNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30)).map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.just(NODES.nullNode()));
    }

    /** Trees up to {@code depth} levels of arrays and objects, with keys drawn from {@code keys} or at random. */
    public static Arbitrary<JsonNode> trees(int depth, List<String> keys) {
        if (depth == 0) {
            return scalars();
        }
        Arbitrary<JsonNode> child = trees(depth - 1, keys);
        Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of(keys), Arbitraries.strings().ofMaxLength(6));
        Arbitrary<JsonNode> array = child.list().ofMaxSize(4).map(l -> {
            ArrayNode a = NODES.arrayNode();
            a.addAll(l);
            return a;
        });
        Arbitrary<JsonNode> object = Combinators.combine(key, child).as(Tuple::of).list().ofMaxSize(5).map(fields -> {
            ObjectNode o = NODES.objectNode();
            fields.forEach(f -> o.set(f.get1(), f.get2()));
            return o;
        });
        return Arbitraries.frequencyOf(Tuple.of(3, scalars()), Tuple.of(2, array), Tuple.of(2, object));
    }
}
