package io.herald.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A reader of {@code GET /admin/v1/stream} for tests: a daemon thread parses the {@code snapshot} events into
 * a queue, with the time each arrived. Closing it closes the connection.
 */
final class AdminStream implements AutoCloseable {
    /** One received snapshot and when it arrived (nanoTime). */
    record Received(JsonNode snapshot, long atNanos) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final InputStream body;
    final HttpResponse<InputStream> response;

    private AdminStream(HttpResponse<InputStream> response) {
        this.response = response;
        this.body = response.body();
        Thread reader = new Thread(this::read, "admin-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static AdminStream open(int port, String token) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/v1/stream"))
                .header("Authorization", "Bearer " + token).GET().build();
        return new AdminStream(http.send(request, HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ") && "snapshot".equals(event)) {
                    received.add(new Received(TestServer.json(line.substring(6)), System.nanoTime()));
                }
            }
        } catch (IOException e) {
            // closed by the test or the server
        }
    }

    /** The next snapshot, waiting up to 5 s. */
    Received next() throws InterruptedException {
        Received r = received.poll(5, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no snapshot within 5 s");
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
