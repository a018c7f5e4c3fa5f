package io.herald.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.HdrHistogram.Histogram;

/**
 * What the lane publishes were answered: the round trip of each POST stamped in the measured window
 * (sent → answered, which Herald does after every matched socket acked), the acks received, and the
 * publishes whose {@code clientCount} or {@code results} differ from the sockets per user, or that
 * failed. Probes are not counted. Runs on the publisher's loop only; read it there.
 */
final class LaneAnswers implements HttpPublisher.Answers {
    private static final int MAX_ERROR_TEXT = 200;
    private final int socketsPerUser;
    private final ObjectMapper json = new ObjectMapper();
    private final Histogram roundTrip = new Histogram(LoopStats.MAX_MICROS, 3);
    private long from = Long.MAX_VALUE;
    private long answered;
    private long acks;
    private long mismatched;
    private String firstMismatch;

    LaneAnswers(int socketsPerUser) {
        this.socketsPerUser = socketsPerUser;
    }

    /** Publishes stamped at or after {@code micros} go into the round-trip histogram. */
    void startAt(long micros) {
        from = micros;
    }

    @Override
    public void onAnswer(long ts, int status, String body) {
        if (ts == Measurement.PROBE_TS) {
            return;
        }
        answered++;
        int clientCount = -1;
        int results = -1;
        if (status == 200) {
            if (ts >= from) {
                roundTrip.recordValue(Math.min(LoopStats.MAX_MICROS, Math.max(0, BenchClock.micros() - ts)));
            }
            try {
                JsonNode r = json.readTree(body);
                clientCount = r.path("clientCount").asInt(-1);
                results = r.path("results").isArray() ? r.path("results").size() : -1;
            } catch (IOException e) {
                // counted as a mismatch below
            }
        }
        acks += Math.max(0, results);
        if (clientCount != socketsPerUser || results != socketsPerUser) {
            mismatched++;
            if (firstMismatch == null) {
                String text = status + " " + body;
                firstMismatch = text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) : text;
            }
        }
    }

    /** Round trips of the publishes stamped in the window, µs (a copy). */
    Histogram roundTrip() {
        return roundTrip.copy();
    }

    long answered() {
        return answered;
    }

    long acks() {
        return acks;
    }

    long mismatched() {
        return mismatched;
    }

    /** The first mismatched answer, status and body, or null. */
    String firstMismatch() {
        return firstMismatch;
    }
}
