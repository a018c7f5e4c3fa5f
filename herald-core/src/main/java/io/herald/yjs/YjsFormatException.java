package io.herald.yjs;

import io.herald.ErrorCode;
import io.herald.HeraldException;

/**
 * Thrown when bytes are not a well-formed Yjs v1 update, state vector or lib0 value, or exceed a
 * {@link YjsLimits} cap. It is the only exception the codec lets escape for bad input; its code is
 * {@link ErrorCode#BAD_REQUEST}.
 */
public final class YjsFormatException extends HeraldException {
    private static final long serialVersionUID = 1L;

    public YjsFormatException(String message) {
        super(ErrorCode.BAD_REQUEST, message);
    }
}
