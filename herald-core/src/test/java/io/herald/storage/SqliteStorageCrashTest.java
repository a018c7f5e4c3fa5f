package io.herald.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A write acknowledged by {@link SqliteStorage} survives a kill -9 of the process that made it. */
class SqliteStorageCrashTest {
    private static final int ACKS_BEFORE_KILL = 300;

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void everyAcknowledgedWriteSurvivesAKillDashNineOfTheWriter() throws Exception {
        Path file = dir.resolve("crash.db");
        Process child = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                AckingWriter.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int lastAck = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    lastAck = Integer.parseInt(line.substring(4));
                    if (lastAck + 1 >= ACKS_BEFORE_KILL) {
                        break;
                    }
                }
            }
            // SIGKILL while the child is still writing: no shutdown hook, no close, no flush
            child.destroyForcibly();
            assertThat(child.waitFor(20, TimeUnit.SECONDS)).as("the child died").isTrue();
        } catch (IOException e) {
            child.destroyForcibly();
            throw e;
        }
        assertThat(child.exitValue()).as("killed by a signal, not a normal exit").isNotZero();
        assertThat(lastAck).as("acknowledged writes before the kill").isGreaterThanOrEqualTo(ACKS_BEFORE_KILL - 1);

        try (SqliteStorage reopened = new SqliteStorage(file, Long.MAX_VALUE)) {
            RoomStore room = reopened.room("crash", "room");
            for (int n = 0; n <= lastAck; n++) {
                assertThat(room.getString("k" + n)).as("acknowledged key k%d", n).contains(AckingWriter.value(n));
                if (n % 5 == 4) {
                    assertThat(room.getString("batch" + n)).as("second key of batch %d", n).contains(AckingWriter.value(n));
                }
            }
            // whatever got past the last ACK is either wholly there or wholly absent (batches are atomic)
            room.list("k").keySet().stream().map(k -> Integer.parseInt(k.substring(1))).filter(n -> n % 5 == 4)
                    .forEach(n -> assertThat(room.get("batch" + n)).as("batch %d is whole", n).isPresent());
        }
    }
}
