package io.herald.server;

import io.herald.HeraldVersion;
import io.herald.config.HeraldConfig;
import io.herald.config.RoomsConfig;
import java.util.stream.Collectors;

/**
 * The one INFO line {@code herald serve} writes once it listens: where, how, which version, and what the
 * configuration binds, so an operator reading the log sees what this process serves without its config file.
 * Names no secret and no URL parameter.
 */
final class StartSummary {
    private StartSummary() {
    }

    /**
     * {@code Herald listening on 0.0.0.0:8080 (epoll, TLS off), version 0.1.0; parties: chat (PresenceRoom); broadcast:
     * 3 tables, 2 namespaces; channels: 2 allow rules, 1 public, durable off; lanes: /lanes/v1; storage: SQLite
     * ./data/herald.db; cluster: off; cdc: off; admin: off}. Its start, up to the port, is what scripts and tests
     * look for.
     */
    static String line(HeraldConfig c, int port, String transport) {
        String parties = c.rooms().bindings().isEmpty() ? "none" : c.rooms().bindings().stream()
                .map(b -> RoomsConfig.partyName(b.name()) + " (" + simpleName(b.className()) + ")")
                .collect(Collectors.joining(", "));
        String storage = c.storage().postgres()
                ? "PostgreSQL " + c.storage().urlWithoutParameters() + " schema " + c.storage().schema()
                : "SQLite " + c.storage().path();
        String cluster = c.cluster().redis().enabled()
                ? "node " + c.cluster().nodeId() + (c.cluster().redis().cluster() ? " on a Redis Cluster" : " on Redis")
                : "off";
        String cdc = c.cdc().enabled()
                ? "on (slot " + c.cdc().postgres().slot() + ", " + c.cdc().postgres().tables().size() + " tables)"
                : "off";
        return "Herald listening on " + c.server().host() + ":" + port + " (" + transport
                + ", TLS " + (c.server().tls() == null ? "off" : "on") + "), version " + HeraldVersion.get()
                + "; parties: " + parties
                + "; broadcast: " + c.broadcast().tables().size() + " tables, " + c.broadcast().namespaces().size() + " namespaces"
                + "; channels: " + c.channels().allow().size() + " allow rules, " + c.channels().publicChannels().size() + " public, durable "
                + (c.channels().durable() ? "on" : "off")
                + "; lanes: " + (c.lanes().basePath().isEmpty() ? "/" : c.lanes().basePath())
                + "; storage: " + storage + "; cluster: " + cluster + "; cdc: " + cdc
                + "; admin: " + (c.admin().enabled() ? "on" : "off");
    }

    private static String simpleName(String className) {
        return className == null ? "?" : className.substring(className.lastIndexOf('.') + 1);
    }
}
