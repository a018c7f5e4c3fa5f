package io.herald;

/**
 * The one table of every error Herald reports: its wire code, HTTP status before an upgrade and
 * WebSocket close code after one. Status and close-code literals appear nowhere else.
 */
public enum ErrorCode {
    UNAUTHENTICATED("unauthenticated", 401, 1008, "Credentials are required."),
    INVALID_CREDENTIALS("invalid_credentials", 401, 1008, "The credentials are invalid."),
    INVALID_TICKET("invalid_ticket", 401, 1008, "The WebSocket ticket is invalid."),
    EXPIRED_TICKET("expired_ticket", 401, 1008, "The WebSocket ticket has expired."),
    FORBIDDEN("forbidden", 403, 1008, "Not allowed."),
    ORGANIZATION_FORBIDDEN("organization_forbidden", 403, 1008, "The user is not a member of that organization."),
    NO_ORGANIZATION("no_organization", 403, 1008, "The user belongs to no organization."),
    ORIGIN_FORBIDDEN("origin_forbidden", 403, 1008, "Cookie authentication from this Origin is not allowed."),
    ORGANIZATION_REQUIRED("organization_required", 400, 1003, "The user belongs to several organizations: name one in organizationId."),
    BAD_REQUEST("bad_request", 400, 1003, "The request is malformed."),
    INVALID_JSON("invalid_json", 400, 1003, "The body is not valid JSON."),
    UNKNOWN_TABLE("unknown_table", 400, 1003, "The table is not configured."),
    UNKNOWN_EVENT("unknown_event", 400, 1003, "The event's namespace or name is not declared."),
    NOT_FOUND("not_found", 404, 1003, "Nothing is here."),
    METHOD_NOT_ALLOWED("method_not_allowed", 405, 1003, "This method is not allowed here."),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, 1003, "The body must be application/json."),
    PAYLOAD_TOO_LARGE("payload_too_large", 413, 1009, "The request or message is too large."),
    INVALID_TEXT("invalid_text", 400, 1007, "A text frame is not valid UTF-8."),
    /** Only ever a close code: a client frame broke RFC 6455 (unmasked, a reserved opcode or bit, a malformed close frame...). */
    PROTOCOL_ERROR("protocol_error", 400, 1002, "A frame broke the WebSocket protocol."),
    UPGRADE_REQUIRED("upgrade_required", 426, 1002, "Only WebSocket version 13 is supported."),
    URI_TOO_LONG("uri_too_long", 414, 1009, "The request line is too long."),
    HEADERS_TOO_LARGE("headers_too_large", 431, 1009, "The request headers are too large."),
    TOO_MANY_REQUESTS("too_many_requests", 429, 1008, "Too many requests."),
    OVERLOADED("overloaded", 429, 1013, "The server or this connection is overloaded."),
    UNAVAILABLE("unavailable", 503, 1011, "A backing service is unavailable."),
    BROKER_UNAVAILABLE("broker_unavailable", 503, 1011, "The cluster's message broker is unavailable."),
    AUTH_UNAVAILABLE("auth_unavailable", 503, 1011, "The identity provider's signing keys cannot be fetched now."),
    IDLE_TIMEOUT("idle_timeout", 408, 1001, "The connection stopped answering pings."),
    REQUEST_TIMEOUT("request_timeout", 408, 1001, "The request's line and headers did not arrive in time."),
    SHUTTING_DOWN("shutting_down", 503, 1012, "The server is shutting down."),
    /** Only ever a close code: an operator closed the socket from the admin page (no status is answered with it). */
    CLOSED_BY_OPERATOR("closed_by_operator", 410, 1000, "An operator closed this connection."),
    STALE_OWNER("stale_owner", 409, 1012, "The room moved to another node; reconnect to reach it."),
    INTERNAL("internal_error", 500, 1011, "Internal server error.");

    private final String code;
    private final int httpStatus;
    private final int closeCode;
    private final String defaultMessage;

    ErrorCode(String code, int httpStatus, int closeCode, String defaultMessage) {
        this.code = code;
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.defaultMessage = defaultMessage;
    }

    /** The snake_case code sent as {@code error} in JSON bodies. */
    public String code() {
        return code;
    }

    /** The HTTP status used when the error happens before a WebSocket upgrade. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The WebSocket close code used when the error happens on an open socket. */
    public int closeCode() {
        return closeCode;
    }

    /** A human sentence that reveals nothing about other tenants. */
    public String defaultMessage() {
        return defaultMessage;
    }
}
