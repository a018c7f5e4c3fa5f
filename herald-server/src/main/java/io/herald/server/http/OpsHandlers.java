package io.herald.server.http;

import io.herald.ErrorCode;
import io.herald.HeraldException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/** Health, readiness and Prometheus metrics endpoints. */
public final class OpsHandlers {
    private OpsHandlers() {
    }

    /** {@code GET /healthz}: the process is up. */
    public static Handler<RoutingContext> health() {
        return ctx -> ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ok\"}");
    }

    /**
     * {@code GET /readyz}: 200 while accepting traffic; 503 {@code shutting_down} from the moment the server is
     * told to stop (its drain delay: it still serves, so the load balancer has time to see this and move new
     * clients away), and 503 {@code broker_unavailable} while the cluster's broker cannot be reached
     * (publishes would fail), so a load balancer sends new clients to nodes that can serve them.
     */
    public static Handler<RoutingContext> ready(BooleanSupplier draining, BooleanSupplier brokerAvailable) {
        return ctx -> {
            if (draining.getAsBoolean()) {
                ErrorHandler.send(ctx.response(), new HeraldException(ErrorCode.SHUTTING_DOWN));
            } else if (!brokerAvailable.getAsBoolean()) {
                ErrorHandler.send(ctx.response(), new HeraldException(ErrorCode.BROKER_UNAVAILABLE));
            } else {
                ctx.response().putHeader("Content-Type", "application/json").end("{\"status\":\"ready\"}");
            }
        };
    }

    /** {@code GET /metrics}: Prometheus text exposition. */
    public static Handler<RoutingContext> metrics(PrometheusMeterRegistry registry) {
        return ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape());
    }
}
