package io.herald.config;

/** Where room storage lives (one SQLite file) and each room's byte budget. */
public record StorageConfig(String path, Long maxRoomBytes) {
    public static final String DEFAULT_PATH = "./data/herald.db";
    public static final long DEFAULT_MAX_ROOM_BYTES = 10L * 1024 * 1024;

    public StorageConfig {
        path = path == null || path.isBlank() ? DEFAULT_PATH : path;
        maxRoomBytes = maxRoomBytes == null ? DEFAULT_MAX_ROOM_BYTES : maxRoomBytes;
        ServerConfig.positive("storage.maxRoomBytes", maxRoomBytes);
    }

    public static StorageConfig defaults() {
        return new StorageConfig(null, null);
    }
}
