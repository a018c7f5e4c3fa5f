package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.CdcConfig;
import io.herald.postgres.PgProcesses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * docs/grafana/herald.json asks only for metrics a server exports: every metric its panels name is in the
 * {@code /metrics} of a server with change capture on (the cdc panels' meters exist only then) after a little
 * traffic, an auth failure and a GC.
 */
class GrafanaDashboardTest {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.logical();
    static final Path DASHBOARD = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("../docs/grafana/herald.json").normalize();
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "bool", "offset");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** Every panel query of the dashboard, rows' nested panels included. */
    static List<String> expressions(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        List<JsonNode> panels = new ArrayList<>();
        dashboard.get("panels").forEach(panels::add);
        for (int i = 0; i < panels.size(); i++) {
            panels.get(i).path("panels").forEach(panels::add);
            panels.get(i).path("targets").forEach(t -> out.add(t.get("expr").asText()));
        }
        return out;
    }

    /** The metric names of a PromQL expression: what is left once matchers, ranges, strings, grouping labels and functions go. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ").replaceAll("\"[^\"]*\"", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(bare);
        while (m.find()) {
            boolean function = bare.substring(m.end()).matches("(?s)\\s*\\(.*");
            boolean number = m.start() > 0 && Character.isDigit(bare.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    @Test
    void theNameExtractionKeepsMetricsAndDropsFunctionsLabelsAndKeywords() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, primitive) (rate(herald_fanout_latency_seconds_bucket"
                + "{instance=~\"$instance\"}[$__rate_interval])))")).containsExactly("herald_fanout_latency_seconds_bucket");
        assertThat(metricNames("max by (instance, version) (herald_build_info) * on (instance) group_left max by (instance) (up)"))
                .containsExactly("herald_build_info", "up");
    }

    @Test
    void everyMetricThePanelsUseIsExportedByAServerWithTrafficAndChangeCapture() throws Exception {
        JsonNode dashboard = TestServer.json(Files.readString(DASHBOARD));
        Set<String> used = new TreeSet<>();
        for (String expr : expressions(dashboard)) {
            assertThat(expr.chars().filter(c -> c == '(').count()).as("balanced: %s", expr).isEqualTo(expr.chars().filter(c -> c == ')').count());
            used.addAll(metricNames(expr));
        }
        assertThat(used).as("the panels the dashboard promises").contains("herald_connections", "herald_messages_published_total",
                "herald_deliveries_total", "herald_drops_total", "herald_fanout_latency_seconds_bucket", "herald_auth_failures_total",
                "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "process_cpu_seconds_total", "process_files_open_files",
                "herald_cdc_lag_seconds");

        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, org text NOT NULL)");
        }
        CdcConfig cdc = new CdcConfig(new CdcConfig.Postgres(PG.url(), PG.user(), PG.password(), "herald_dashboard", "herald_dashboard",
                Map.of("public.items", new CdcConfig.Source("org", null, null)), 200L, 500L));
        try (TestServer server = TestServer.start(TestServer.config("broadcast: { tables: { items: {} } }").withCdc(cdc))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> server.gauge("herald.cdc.leader") == 1.0);
            WsClient socket = server.member("u_dash", "org_dash", "owner");
            assertThat(server.publishBroadcast("{\"event\":\"e\",\"payload\":1,\"organizationId\":\"org_dash\"}")).isEqualTo(1);
            socket.next();
            assertThat(server.post("/broadcast/v1/ws-ticket", null, "Authorization", "Bearer not-a-jwt").statusCode()).isEqualTo(401);
            System.gc();

            // the GC's pause is recorded when its notification arrives, a moment later
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(samples(server.get("/metrics").body())).containsAll(used));
        }
    }

    /** The sample names of a Prometheus text exposition ({@code name{labels} value} lines). */
    private static Set<String> samples(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            Matcher m = NAME.matcher(line);
            if (!line.startsWith("#") && m.lookingAt()) {
                names.add(m.group());
            }
        }
        return names;
    }
}
