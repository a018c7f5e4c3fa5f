package io.herald.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An open {@code text/event-stream} for the process tests: a daemon thread parses it into events
 * (id, name, data) as an {@code EventSource} would, and notes when the stream ends, so a test can
 * resume elsewhere with the last id it saw.
 */
public final class SseStream implements AutoCloseable {
    /** One dispatched event; {@code id} is null when the event had no {@code id:} line. */
    public record Event(String id, String event, String data) {
    }

    /** Events in arrival order. */
    public final List<Event> events = new CopyOnWriteArrayList<>();
    private final HttpResponse<InputStream> response;
    private volatile boolean ended;

    /** Connects to {@code uri}, with {@code Last-Event-ID: lastEventId} unless it is null; expects 200. */
    SseStream(HttpClient http, URI uri, String lastEventId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        response = TestServer.send(http, b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).as("SSE %s", uri).isEqualTo(200);
        Thread reader = new Thread(this::read, "sse-reader " + uri.getPath());
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String event = null;
            StringBuilder data = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, event == null ? "message" : event, data.toString()));
                    }
                    id = null;
                    event = null;
                    data = null;
                } else if (line.startsWith("id:")) {
                    id = value(line);
                } else if (line.startsWith("event:")) {
                    event = value(line);
                } else if (line.startsWith("data:")) {
                    data = data == null ? new StringBuilder(value(line)) : data.append('\n').append(value(line));
                }
                // comments (": connected", heartbeats) and retry: lines carry nothing a test checks
            }
        } catch (IOException e) {
            // reset by the server (a killed node) or closed by the test: either way the stream ended
        } finally {
            ended = true;
        }
    }

    private static String value(String line) {
        String v = line.substring(line.indexOf(':') + 1);
        return v.startsWith(" ") ? v.substring(1) : v;
    }

    /** Whether the stream has ended (closed by the server, reset, or closed here). */
    public boolean ended() {
        return ended;
    }

    /** The events named {@code name}. */
    public List<Event> named(String name) {
        return events.stream().filter(e -> e.event().equals(name)).toList();
    }

    /** The id of the last event that had one, or null. */
    public String lastId() {
        String last = null;
        for (Event e : events) {
            if (e.id() != null) {
                last = e.id();
            }
        }
        return last;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // already gone
        }
    }
}
