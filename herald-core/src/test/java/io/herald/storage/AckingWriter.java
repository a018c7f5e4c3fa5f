package io.herald.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link SqliteStorageCrashTest}: opens {@link SqliteStorage} on the file named by
 * its first argument and writes {@code k<n>} = {@link #value(int)} forever (every fifth write as a
 * two-key batch), printing {@code ACK <n>} after each write has returned, until it is killed.
 */
public final class AckingWriter {
    private AckingWriter() {
    }

    static String value(int n) {
        return "value-" + n + "-" + "x".repeat(n % 200);
    }

    public static void main(String[] args) {
        SqliteStorage storage = new SqliteStorage(Path.of(args[0]), Long.MAX_VALUE);
        RoomStore room = storage.room("crash", "room");
        System.out.println("READY");
        System.out.flush();
        for (int n = 0; ; n++) {
            if (n % 5 == 4) {
                int k = n;
                room.batch(b -> b.put("k" + k, value(k).getBytes(StandardCharsets.UTF_8))
                        .put("batch" + k, value(k).getBytes(StandardCharsets.UTF_8)));
            } else {
                room.putString("k" + n, value(n));
            }
            System.out.println("ACK " + n);
            System.out.flush();
        }
    }
}
