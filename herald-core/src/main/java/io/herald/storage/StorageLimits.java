package io.herald.storage;

import io.herald.ErrorCode;
import java.nio.charset.StandardCharsets;

/**
 * The checks every {@link Storage} adapter applies before it writes, with the same errors everywhere:
 * key and value sizes of {@link RoomStore} and the per-room budget. Stateless.
 */
public final class StorageLimits {
    private StorageLimits() {
    }

    /** The UTF-8 length of {@code key}; refuses an empty key (bad request) and one over {@link RoomStore#MAX_KEY_BYTES}. */
    public static int keyBytes(String key) {
        if (key == null || key.isEmpty()) {
            throw new StorageException(ErrorCode.BAD_REQUEST, "Storage keys must be non-empty.");
        }
        int n = key.getBytes(StandardCharsets.UTF_8).length;
        if (n > RoomStore.MAX_KEY_BYTES) {
            throw new StorageException(ErrorCode.PAYLOAD_TOO_LARGE, "Storage keys are limited to " + RoomStore.MAX_KEY_BYTES + " bytes.");
        }
        return n;
    }

    /** Refuses a null value (bad request) and one over {@link RoomStore#MAX_VALUE_BYTES}. */
    public static void checkValue(byte[] value) {
        if (value == null) {
            throw new StorageException(ErrorCode.BAD_REQUEST, "Storage values must not be null.");
        }
        if (value.length > RoomStore.MAX_VALUE_BYTES) {
            throw new StorageException(ErrorCode.PAYLOAD_TOO_LARGE, "Storage values are limited to " + RoomStore.MAX_VALUE_BYTES + " bytes.");
        }
    }

    /** Refuses a write that grows a room using {@code used} bytes by {@code delta} past {@code maxBytes}. */
    public static void checkBudget(long used, long delta, long maxBytes) {
        if (delta > 0 && used + delta > maxBytes) {
            throw new StorageException(ErrorCode.PAYLOAD_TOO_LARGE,
                    "The room's storage budget of " + maxBytes + " bytes would be exceeded.");
        }
    }

    /** Refuses a fencing token that is not positive (0 is the stored token of a room no fenced owner wrote). */
    public static long checkFence(long fence) {
        if (fence <= 0) {
            throw new IllegalArgumentException("a fencing token must be positive, not " + fence);
        }
        return fence;
    }
}
