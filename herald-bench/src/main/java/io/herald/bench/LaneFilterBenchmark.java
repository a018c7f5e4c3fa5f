package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.lane.Filter;
import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matching one lane envelope against a socket's filters, the loop {@code LaneHub.publish} runs under the lane's
 * monitor: the socket's filters in subscription order (a {@link LinkedHashSet}, as the socket holds them), the
 * first {@link Filter#matches} wins. {@code filters} defaults to {@code lanes.maxFiltersPerSocket}'s default, 200.
 *
 * <p>The filters cycle through four shapes, all misses: type only ({@code {"type":"evt.17"}}), type and a string
 * payload key, a payload key without type, and type and a numeric payload key (compared through the number's
 * JSON text). The one hit ({@code hit}) is a type + string-key filter at position 2 ({@code early}), at position
 * {@code filters - 3} ({@code late}) or absent ({@code none}: every filter is evaluated). Filters are built by
 * {@code Filter.parse}, the parser of client frames (package-private, so called reflectively in setup only).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class LaneFilterBenchmark {
    private static final String TYPE = "order.updated";

    @Param({"200"})
    public int filters;

    @Param({"early", "late", "none"})
    public String hit;

    private Set<Filter> socketFilters;
    private String envelopeType;
    private JsonNode payload;

    @Setup
    public void setup() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Method parse = Filter.class.getDeclaredMethod("parse", JsonNode.class);
        parse.setAccessible(true);
        int hitAt = switch (hit) {
            case "early" -> 2;
            case "late" -> filters - 3;
            case "none" -> -1;
            default -> throw new IllegalArgumentException("hit must be early, late or none");
        };
        socketFilters = new LinkedHashSet<>();
        for (int i = 0; i < filters; i++) {
            ObjectNode f = json.createObjectNode();
            if (i == hitAt) {
                f.put("type", TYPE).put("orderId", "ord_7f3a9c");
            } else {
                switch (i % 4) {
                    case 0 -> f.put("type", "evt." + i);
                    case 1 -> f.put("type", TYPE).put("orderId", "ord_" + i);
                    case 2 -> f.put("orderId", "ord_" + i);
                    default -> f.put("type", TYPE).put("amount", Integer.toString(i));
                }
            }
            Filter parsed = (Filter) parse.invoke(null, f);
            if (parsed == null || !socketFilters.add(parsed)) {
                throw new IllegalStateException("filter " + f + " was refused or duplicated");
            }
        }
        envelopeType = TYPE;
        payload = json.readTree("{\"orderId\":\"ord_7f3a9c\",\"status\":\"shipped\",\"amount\":1299,"
                + "\"currency\":\"EUR\",\"carrier\":{\"name\":\"DHL\",\"tracking\":\"JD014600006543210\"}}");
        int found = firstMatch();
        if (found != hitAt) {
            throw new IllegalStateException("expected the hit at " + hitAt + ", found " + found);
        }
    }

    /** The index of the first matching filter, or -1: what decides whether the socket is a target. */
    @Benchmark
    public int firstMatch() {
        int i = 0;
        for (Filter f : socketFilters) {
            if (f.matches(envelopeType, payload)) {
                return i;
            }
            i++;
        }
        return -1;
    }
}
