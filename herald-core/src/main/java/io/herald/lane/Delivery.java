package io.herald.lane;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** One published envelope waiting for acks: the sockets still owing one, and the results so far. Guarded by its lane. */
final class Delivery {
    final String envelopeId;
    final int clientCount;
    final Set<LaneSocket> waiting;
    final List<JsonNode> results = new ArrayList<>();
    final CompletableFuture<LaneHub.PublishResult> future = new CompletableFuture<>();
    ScheduledFuture<?> timeout;

    Delivery(String envelopeId, List<LaneSocket> targets) {
        this.envelopeId = envelopeId;
        this.clientCount = targets.size();
        this.waiting = new HashSet<>(targets);
    }

    LaneHub.PublishResult result() {
        return new LaneHub.PublishResult(clientCount, List.copyOf(results));
    }
}
