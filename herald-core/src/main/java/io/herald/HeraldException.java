package io.herald;

/**
 * The unchecked exception every public Herald API throws for a refused or failed operation;
 * its {@link ErrorCode} decides the HTTP status or WebSocket close code the edge sends.
 */
public class HeraldException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public HeraldException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public HeraldException(ErrorCode code) {
        this(code, code.defaultMessage());
    }

    public HeraldException(ErrorCode code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
