package io.herald.lane;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One envelope this node published, waiting for acks from every node's sockets: how many sockets it
 * reached (known once every node has reported), how many have answered (acked or left), and the
 * results in arrival order. An answer may come before the count. Thread-safe.
 */
final class Delivery {
    final String envelopeId;
    final String user;
    final CompletableFuture<LaneHub.PublishResult> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timeout;
    private final List<JsonNode> results = new ArrayList<>();
    private int expected = -1;
    private int answered;

    Delivery(String envelopeId, String user) {
        this.envelopeId = envelopeId;
        this.user = user;
    }

    /** Records how many sockets the envelope reached; true when every one has already answered. */
    synchronized boolean expect(int sockets) {
        expected = sockets;
        return answered >= expected;
    }

    /** Records one socket's answer, with its ack's result or null for a socket gone; true when all have answered. */
    synchronized boolean answered(JsonNode result) {
        if (result != null) {
            results.add(result);
        }
        answered++;
        return expected >= 0 && answered >= expected;
    }

    synchronized LaneHub.PublishResult result() {
        return new LaneHub.PublishResult(Math.max(expected, 0), List.copyOf(results));
    }
}
