package io.herald.client;

import java.util.Optional;

/**
 * A node's answer to {@code GET /healthz} or {@code GET /readyz}. Both answer 200 with
 * {@code {"status":"ok"}} / {@code {"status":"ready"}} when fine; {@code /readyz} answers 503 with
 * {@code {"status":"draining"}} while the node stops and with {@code {"error":"broker_unavailable",...}}
 * while a cluster's Redis cannot be reached. Those 503 answers are statuses, not failures: they are
 * returned, not thrown.
 *
 * @param httpStatus the response status (200 or 503)
 * @param status     the {@code status} field ({@code ok}, {@code ready}, {@code draining}), when present
 * @param error      the {@code error} code of an error body (e.g. {@code broker_unavailable}), when present
 * @param message    the {@code message} of an error body, when present
 */
public record NodeStatus(int httpStatus, Optional<String> status, Optional<String> error, Optional<String> message) {

    public NodeStatus {
        status = status == null ? Optional.empty() : status;
        error = error == null ? Optional.empty() : error;
        message = message == null ? Optional.empty() : message;
    }

    /** Whether the node answered 200: alive ({@code /healthz}) or ready for traffic ({@code /readyz}). */
    public boolean isOk() {
        return httpStatus == 200;
    }
}
