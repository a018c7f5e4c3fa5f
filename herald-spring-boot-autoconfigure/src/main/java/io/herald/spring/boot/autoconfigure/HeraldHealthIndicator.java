package io.herald.spring.boot.autoconfigure;

import io.herald.server.HeraldServer;
import io.herald.server.cluster.ClusterNodes;
import io.micrometer.core.instrument.Gauge;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Herald's part of the actuator's health ({@code /actuator/health/herald}): UP while the server runs and is ready
 * (its {@code /readyz} would answer 200), DOWN while it drains, when the cluster's broker cannot be reached, and
 * when it is not running. Details: the state, the port, the socket transport, and the open connections by primitive
 * plus plain HTTP ones.
 */
public class HeraldHealthIndicator implements HealthIndicator {
    private final Supplier<HeraldServer> server;
    private final BooleanSupplier draining;

    /**
     * @param server   the running server, or null when there is none
     * @param draining whether its owner has begun stopping it (true a moment before the server itself says so)
     */
    public HeraldHealthIndicator(Supplier<HeraldServer> server, BooleanSupplier draining) {
        this.server = server;
        this.draining = draining;
    }

    @Override
    public Health health() {
        HeraldServer s = server.get();
        if (s == null) {
            return Health.down().withDetail("state", "stopped").build();
        }
        Health.Builder b;
        if (draining.getAsBoolean() || s.draining()) {
            b = Health.down().withDetail("state", "draining");
        } else if (!s.herald().broker().available()) {
            b = Health.down().withDetail("state", "broker_unavailable");
        } else {
            b = Health.up().withDetail("state", "ready");
        }
        var registry = s.herald().meters().registry();
        Map<String, Integer> connections = new LinkedHashMap<>(ClusterNodes.connections(registry).get());
        Gauge http = registry.find("herald.http.connections").gauge();
        if (http != null) {
            connections.put("http", (int) http.value());
        }
        return b.withDetail("port", s.port()).withDetail("transport", s.transport()).withDetail("connections", connections).build();
    }
}
