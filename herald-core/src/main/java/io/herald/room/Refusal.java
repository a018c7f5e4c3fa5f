package io.herald.room;

/**
 * A gate's refusal of a connection or an HTTP request: the HTTP status sent instead of the upgrade or
 * the room's response, and a message for the JSON error body
 * ({@code {"error":"connection_refused","message":...}}).
 */
public record Refusal(int status, String message) implements Admission {
    public Refusal {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a refusal status is 4xx or 5xx");
        }
        message = message == null ? "Connection refused." : message;
    }
}
