package io.herald.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.TestServer;
import io.herald.server.WsClient;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health, readiness, Prometheus metrics, and the JSON bodies of router-level errors (404, 405). */
class OpsHandlersTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.STANDARD);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertJsonError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = TestServer.json(r.body());
        assertThat(body.get("error").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        assertThat(body.size()).isEqualTo(2);
    }

    @Test
    void healthzAnswersOk() {
        HttpResponse<String> r = server.get("/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void readyzAnswersReadyWhileAcceptingTraffic() {
        HttpResponse<String> r = server.get("/readyz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"status\":\"ready\"}");
    }

    @Test
    void metricsExposeConnectionsPublishesDeliveriesAuthFailuresAndFanOutLatency() {
        try (WsClient socket = server.member("u_metrics", "org_metrics", "owner")) {
            assertThat(server.publishBroadcast("{\"event\":\"m\",\"payload\":1,\"organizationId\":\"org_metrics\"}")).isEqualTo(1);
            assertThat(socket.next()).contains("\"event\":\"m\"");
            server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer not-a-jwt");

            HttpResponse<String> r = server.get("/metrics");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(r.body())
                    .contains("herald_connections{primitive=\"broadcast\"} 1.0")
                    .containsPattern("herald_messages_published_total\\{primitive=\"broadcast\"} [1-9]")
                    .containsPattern("herald_deliveries_total\\{primitive=\"broadcast\"} [1-9]")
                    .containsPattern("herald_auth_failures_total\\{reason=\"invalid_credentials\"} [1-9]")
                    .contains("herald_fanout_latency_seconds_bucket{primitive=\"broadcast\",le=")
                    .contains("herald_fanout_latency_seconds_count{primitive=\"broadcast\"}");
        }
    }

    @Test
    void metricsExposeTheJvmAndProcessFamiliesCpuInSecondsAndTheBuildVersion() {
        String body = server.get("/metrics").body();

        assertThat(body).contains(
                "jvm_memory_used_bytes{area=\"heap\"", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads ",
                "jvm_classes_loaded_classes ", "jvm_info{", "process_cpu_usage ", "process_cpu_seconds_total ", "system_cpu_count ",
                "process_files_open_files ", "process_files_max_files ", "process_uptime_seconds ", "process_start_time_seconds ",
                "herald_http_connections ", "herald_drops_total{primitive=\"lanes\",reason=\"slow_consumer\"} 0.0")
                .contains("herald_build_info{version=\"" + System.getProperty("expected.herald.version") + "\"} 1")
                .as("nanoseconds are not a Prometheus base unit").doesNotContain("process_cpu_time_ns_total");
    }

    @Test
    void theFanOutHistogramHasThirteenServiceLevelBucketsAndInfinityPerPrimitive() {
        try (WsClient socket = server.member("u_buckets", "org_buckets", "owner")) {
            assertThat(server.publishBroadcast("{\"event\":\"b\",\"payload\":1,\"organizationId\":\"org_buckets\"}")).isEqualTo(1);
            socket.next();

            String body = server.get("/metrics").body();

            Matcher bucket = Pattern.compile("(?m)^herald_fanout_latency_seconds_bucket\\{primitive=\"broadcast\",le=\"([^\"]+)\"}").matcher(body);
            java.util.List<String> bounds = new java.util.ArrayList<>();
            while (bucket.find()) {
                bounds.add(bucket.group(1));
            }
            assertThat(bounds).hasSize(14).startsWith("5.0E-4", "0.001", "0.0025").endsWith("5.0", "+Inf");
        }
    }

    @Test
    void unknownRouteIs404WithAJsonBody() {
        assertJsonError(server.get("/nope"), 404, "not_found");
        assertJsonError(server.post("/broadcast/v2/broadcast", "{}", "Content-Type", "application/json"), 404, "not_found");
    }

    @Test
    void wrongMethodIs405WithAJsonBody() {
        assertJsonError(server.get("/broadcast/v1/ws-ticket"), 405, "method_not_allowed");
        assertJsonError(server.get("/broadcast/v1/broadcast"), 405, "method_not_allowed");
        assertJsonError(server.send("DELETE", "/broadcast/v1/changes", null), 405, "method_not_allowed");
        assertJsonError(server.post("/healthz", null), 405, "method_not_allowed");
    }
}
