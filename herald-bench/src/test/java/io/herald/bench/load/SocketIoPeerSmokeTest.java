package io.herald.bench.load;

import static io.herald.bench.load.LoadToolSmokeTest.assertDeliveredAll;
import static io.herald.bench.load.LoadToolSmokeTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The load tool's Engine.IO client against the real Socket.IO 4 peer (herald-bench/peer/socketio,
 * installed with {@code npm ci} from its committed lockfile), 10 sockets for about a second. Needs node
 * and npm; without them the test fails with the reason.
 */
class SocketIoPeerSmokeTest {
    private static final Path PEER = Path.of("peer", "socketio");
    private static final Pattern LISTENING = Pattern.compile("listening on [^:]+:(\\d+)");
    private static Process node;
    private static int port;

    @BeforeAll
    static void startPeer() throws Exception {
        assertThat(runs("node", "--version") && runs("npm", "--version"))
                .as("node and npm are needed to run the Socket.IO peer (they are on every machine of this project)")
                .isTrue();
        if (!Files.isDirectory(PEER.resolve("node_modules/socket.io"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(PEER.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(npm.waitFor(180, TimeUnit.SECONDS)).as("npm ci finished").isTrue();
            assertThat(npm.exitValue()).as("npm ci exit code").isZero();
        }
        node = new ProcessBuilder("node", "server.js", "--port", "0").directory(PEER.toFile()).redirectErrorStream(true).start();
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("the peer exited before listening");
        });
        port = listening.get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopPeer() throws InterruptedException {
        if (node != null) {
            node.destroy();
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void broadcastFanoutReceivesEveryEmitThroughEngineIo() throws Exception {
        assertDeliveredAll(run("broadcast-fanout", "http://127.0.0.1:" + port, "--target", "socketio"), 10);
    }

    @Test
    void roomFanoutReceivesEveryRelayedEvent() throws Exception {
        assertDeliveredAll(run("room-fanout", "http://127.0.0.1:" + port, "--target", "socketio"), 10);
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
