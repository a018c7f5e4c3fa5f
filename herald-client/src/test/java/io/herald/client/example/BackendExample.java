package io.herald.client.example;

// [java-client-example:start]
import io.herald.client.Broadcast;
import io.herald.client.BroadcastResult;
import io.herald.client.Change;
import io.herald.client.ChannelResult;
import io.herald.client.HeraldClient;
import io.herald.client.HeraldClientException;
import io.herald.client.LaneMessage;
import io.herald.client.LaneResult;
import io.herald.client.NodeStatus;
import io.herald.client.RetryPolicy;
import io.herald.client.Target;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

public final class BackendExample {
    /** What the user's sockets answer in their acks. */
    public record Seen(boolean seen) {
    }

    public static void publish(URI heraldUrl, String accessToken) {
        // one client per Herald deployment, shared by every thread
        HeraldClient herald = HeraldClient.builder()
                .baseUrl(heraldUrl)                  // e.g. https://rt.example.com
                .accessToken(accessToken)            // the server's ACCESS_TOKEN
                .timeout(Duration.ofSeconds(5))
                .retry(RetryPolicy.backoff(3, Duration.ofMillis(100), Duration.ofSeconds(1)))  // 429, 503 broker_unavailable
                .build();

        NodeStatus ready = herald.readiness();       // 503 while draining is a status, not an exception
        System.out.println("ready: " + ready.isOk());

        // a row was inserted: org_1's sockets whose roles may see the table get it, masked per role
        BroadcastResult change = herald.publishChange(Change.insert("applications", Target.organization("org_1"),
                Map.of("id", "app_1", "stage", "screen", "ssn", "123-45-6789")));
        System.out.println(change.delivered() + " sockets" + change.skipped().map(s -> ", skipped: " + s).orElse(""));

        // a custom event for the owners of org_1
        herald.broadcast(Broadcast.of("screening:complete", Map.of("applicationId", "app_1", "score", 87),
                Target.organization("org_1")).toRoles("owner"));

        // an SSE channel event; its id is what EventSource clients resume after
        ChannelResult event = herald.publishToChannel("run:42", "run.stage", Map.of("stage", "ai_verify", "progress", 40));
        System.out.println("event " + event.id() + " to " + event.delivered() + " streams");

        // one user's lane: waits until each of their matching sockets acked, 5 s at most
        LaneResult<Seen> acks = herald.publishToLane(
                LaneMessage.of("user_123", "chat_message", Map.of("questId", "q1", "text", "hi"))
                        .withTimeout(Duration.ofSeconds(5)),
                Seen.class);
        System.out.println(acks.clientCount() + " sockets, " + acks.unacknowledged() + " without ack: " + acks.results());

        // refusals carry the server's status, error code and message
        try {
            herald.publishChange(Change.delete("secrets", Target.organization("org_1"), Map.of("id", 1)));
        } catch (HeraldClientException e) {
            System.out.println(e.status() + " " + e.error().orElse("") + ": " + e.serverMessage().orElse(""));
        }

        // without blocking: every call has an ...Async twin
        herald.broadcastAsync(Broadcast.of("nudge", null, Target.organization("org_1").user("u_4")))
                .thenAccept(r -> System.out.println("nudged " + r.delivered() + " sockets"));
    }
}
// [java-client-example:end]
