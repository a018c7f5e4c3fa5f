package io.herald.client;

import java.util.Optional;

/**
 * Why a call of {@link HeraldClient} failed: the server refused it (its HTTP status, {@code error} code
 * and {@code message}, from {@code {"error":"<code>","message":"..."}}), or no answer came (connection
 * refused, timeout, broken connection, interrupted). Unchecked.
 *
 * <p>The message names the request (method and URL) and what happened; it never contains the access
 * token, which travels only in the {@code Authorization} header.
 */
public final class HeraldClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    public enum Kind {
        /** The server answered with an error status; see {@link #status()}, {@link #error()}, {@link #serverMessage()}. */
        HTTP,
        /** No connection could be made: refused, unresolvable host, or the connect timeout passed. */
        CONNECT,
        /** The connection was made, but no answer came within the request timeout. */
        TIMEOUT,
        /** The connection broke or the exchange failed otherwise (reset, closed mid-answer, TLS). */
        IO,
        /** The calling thread was interrupted while waiting (its interrupt flag is set again). */
        INTERRUPTED,
        /** The server answered with a success status but a body this client cannot read. */
        INVALID_RESPONSE
    }

    private final Kind kind;
    private final int status;
    private final String error;
    private final String serverMessage;

    HeraldClientException(Kind kind, String message, int status, String error, String serverMessage, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.error = error;
        this.serverMessage = serverMessage;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status the server answered with, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /**
     * The server's {@code error} code ({@code unknown_table}, {@code invalid_credentials},
     * {@code broker_unavailable}, ...; the table is {@code io.herald.ErrorCode} in herald-core), when
     * the server answered with a JSON error body.
     */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** The server's {@code message} sentence, when the server answered with a JSON error body. */
    public Optional<String> serverMessage() {
        return Optional.ofNullable(serverMessage);
    }
}
