package io.herald.storage;

import io.herald.ErrorCode;
import io.herald.HeraldException;

/** A refused or failed storage operation: a limit was exceeded or the database failed. Nothing was written. */
public class StorageException extends HeraldException {
    private static final long serialVersionUID = 1L;

    public StorageException(ErrorCode code, String message) {
        super(code, message);
    }

    public StorageException(String message, Throwable cause) {
        super(ErrorCode.INTERNAL, message, cause);
    }
}
