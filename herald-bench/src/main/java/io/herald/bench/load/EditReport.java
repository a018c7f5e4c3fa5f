package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.HdrHistogram.Histogram;

/** The result lines of a yjs-edit run's node processes, summed; latency merged from their raw samples. */
record EditReport(long edits, long expected, long received, long windowEdits, long windowDeliveries, Result.Latency latency,
        double convergenceMs, boolean identical, double loopDelayP99Ms, long textLength, long closes, long pendingAtWindowEnd, String room) {

    static EditReport of(List<JsonNode> results) {
        Histogram h = new Histogram(3_600_000_000L, 3);
        long edits = 0;
        long expected = 0;
        long received = 0;
        long windowEdits = 0;
        long windowDeliveries = 0;
        double convergence = 0;
        double loopDelay = 0;
        long closes = 0;
        long pending = 0;
        // identical within each process, and the same document hash in all of them
        boolean identical = true;
        String hash = results.get(0).path("final_hash").asText();
        for (JsonNode r : results) {
            edits += r.get("edits_sent").asLong();
            expected += r.get("expected_deliveries").asLong();
            received += r.get("remote_deliveries").asLong();
            windowEdits += r.get("window_edits").asLong();
            windowDeliveries += r.get("window_deliveries").asLong();
            double c = r.get("convergence_ms").asDouble();
            convergence = c < 0 || convergence < 0 ? -1 : Math.max(convergence, c);
            closes += r.path("closes").asLong();
            pending += r.path("pending_at_window_end").asLong();
            loopDelay = Math.max(loopDelay, r.get("loop_delay_p99_ms").asDouble());
            identical &= r.get("identical").asBoolean() && hash.equals(r.path("final_hash").asText());
            for (JsonNode ms : r.path("samples_ms")) {
                h.recordValue(Math.max(0, Math.round(ms.asDouble() * 1000)));
            }
        }
        JsonNode first = results.get(0);
        return new EditReport(edits, expected, received, windowEdits, windowDeliveries, Result.Latency.of(h), convergence, identical,
                loopDelay, first.get("text_length").asLong(), closes, pending, first.get("room").asText());
    }
}
