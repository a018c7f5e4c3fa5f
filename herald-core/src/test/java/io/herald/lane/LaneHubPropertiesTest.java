package io.herald.lane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.herald.JsonArbitraries;
import io.herald.config.LanesConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * The lane hub over the JSON a client's {@code subscribe} / {@code unsubscribe} / {@code ack} frames
 * carry: random trees and random filter lists give a reply or 400 {@code bad_request} (which the socket
 * handler sends as {@code invalid_filter}), never another exception; a socket never holds more filters
 * than {@code lanes.maxFiltersPerSocket}, and every filter it holds is within the parser's limits.
 */
class LaneHubPropertiesTest {
    private static final int MAX_FILTERS = 7;
    private static final List<String> KEYS = List.of("type", "filters", "envelopeId", "result", "kind", "id");
    private static final LaneFixture LANES = new LaneFixture(new LanesConfig(null, null, MAX_FILTERS, null, null, null, null, null));
    private static final AtomicInteger USERS = new AtomicInteger();

    @AfterContainer
    static void closeHub() {
        LANES.close();
    }

    private static final Arbitrary<JsonNode> TREES_1 = JsonArbitraries.trees(1, KEYS);
    private static final Arbitrary<JsonNode> TREES_2 = JsonArbitraries.trees(2, KEYS);
    private static final Arbitrary<JsonNode> FILTER_LISTS = filterListsOnce();
    private static final Arbitrary<JsonNode> PAYLOADS = Arbitraries.oneOf(JsonArbitraries.trees(2, List.of("type", "kind", "id", "x")),
            Arbitraries.just(null));

    @Provide
    Arbitrary<JsonNode> filterLists() {
        return FILTER_LISTS;
    }

    /** Mostly lists of filter-like objects, a few past the 50 a message may carry; sometimes any tree or none. */
    private static Arbitrary<JsonNode> filterListsOnce() {
        Arbitrary<JsonNode> value = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of("a", "b", " a ", "", "  ").map(JsonNodeFactory.instance::textNode)),
                Tuple.of(2, JsonArbitraries.scalars()));
        Arbitrary<JsonNode> filter = Combinators.combine(Arbitraries.of("type", "kind", "id", "x"), value).as(Tuple::of)
                .list().ofMaxSize(4).map(fields -> {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    fields.forEach(f -> o.set(f.get1(), f.get2()));
                    return o;
                });
        Arbitrary<JsonNode> list = Combinators.combine(
                        Arbitraries.frequencyOf(Tuple.of(8, filter), Tuple.of(1, TREES_2)).list().ofMaxSize(10),
                        Arbitraries.frequency(Tuple.of(9, 1), Tuple.of(1, 6)))
                .as((l, copies) -> {
                    ArrayNode a = JsonNodeFactory.instance.arrayNode();
                    for (int i = 0; i < copies; i++) {
                        a.addAll(l);
                    }
                    return a;
                });
        return Arbitraries.frequencyOf(Tuple.of(5, list), Tuple.of(1, TREES_2), Tuple.of(1, Arbitraries.just(null)));
    }

    /** One client frame's effect on the hub: subscribe, unsubscribe or ack with random JSON. */
    record Step(int kind, JsonNode filters, JsonNode envelopeId, JsonNode result) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 2), FILTER_LISTS, TREES_1, TREES_1)
                .as(Step::new).list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 10000)
    void randomFramesGiveAReplyOrBadRequestAndNeverMoreFiltersThanTheCap(@ForAll("steps") List<Step> steps) {
        LaneSocket s = LANES.join("u" + USERS.incrementAndGet());
        try {
            for (Step step : steps) {
                Throwable t = catchThrowable(() -> apply(s, step));
                if (t != null) {
                    assertThat(t).isInstanceOf(HeraldException.class);
                    assertThat(((HeraldException) t).code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(step.kind()).isNotEqualTo(2);
                    assertThat(step.filters() != null && step.filters().isArray()).isFalse();
                }
                assertThat(s.filters).hasSizeLessThanOrEqualTo(MAX_FILTERS);
                assertThat(s.filters).allMatch(LaneHubPropertiesTest::withinTheParsersLimits);
            }
        } finally {
            LANES.hub.leave(s);
        }
    }

    private static boolean withinTheParsersLimits(Filter f) {
        String type = f.fields().get("type");
        return !f.fields().isEmpty() && f.fields().size() <= 32 && (type == null || !type.isBlank() && type.equals(type.trim()))
                && f.fields().entrySet().stream().allMatch(e -> e.getKey().length() <= 256 && e.getValue().length() <= 1024);
    }

    private static void apply(LaneSocket s, Step step) {
        switch (step.kind()) {
            case 0 -> {
                LaneHub.FilterReply r = LANES.hub.subscribe(s, step.filters());
                assertReply(r, s);
            }
            case 1 -> assertReply(LANES.hub.unsubscribe(s, step.filters()), s);
            default -> LANES.hub.ack(s, step.envelopeId().isTextual() ? step.envelopeId().asText() : null, step.result());
        }
    }

    private static void assertReply(LaneHub.FilterReply r, LaneSocket s) {
        assertThat(r.count()).isEqualTo(s.filters.size());
        assertThat(r.ignored()).isNotNegative();
    }

    @Property(tries = 10000)
    void anyFilterMatchesOrNotAnyPayloadWithoutThrowing(@ForAll("filterLists") JsonNode filters,
            @ForAll("payloads") JsonNode payload, @ForAll("types") String type) {
        if (filters == null || !filters.isArray()) {
            return;
        }
        for (JsonNode n : filters) {
            Filter f = Filter.parse(n);
            if (f != null) {
                boolean matches = f.matches(type, payload);
                if (matches && f.fields().containsKey("type")) {
                    assertThat(type).isEqualTo(f.fields().get("type"));
                }
            }
        }
    }

    @Property(tries = 2000)
    void aPublishAfterRandomSubscriptionsReachesOnlyMatchingSocketsAndCompletes(@ForAll("filterLists") JsonNode filters,
            @ForAll("payloads") JsonNode payload, @ForAll("types") String type) throws Exception {
        String user = "p" + USERS.incrementAndGet();
        LaneSocket s = LANES.join(user);
        try {
            catchThrowable(() -> LANES.hub.subscribe(s, filters));
            boolean expected = s.filters.stream().anyMatch(f -> f.matches(type.isBlank() ? "message" : type.trim(), payload));
            LaneHub.PublishResult r = LANES.hub.publish(user, type, payload, Duration.ofMillis(1)).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.clientCount()).isEqualTo(expected ? 1 : 0);
        } finally {
            LANES.hub.leave(s);
        }
    }

    @Provide
    Arbitrary<JsonNode> payloads() {
        return PAYLOADS;
    }

    @Provide
    Arbitrary<String> types() {
        return Arbitraries.oneOf(Arbitraries.of("a", "b", " a ", "", "message"), Arbitraries.strings().ofMaxLength(5));
    }

}
