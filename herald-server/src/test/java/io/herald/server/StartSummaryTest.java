package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.HeraldConfig;
import org.junit.jupiter.api.Test;

class StartSummaryTest {

    @Test
    void theLineNamesAddressTransportTlsVersionBindingsStorageClusterAndCdc() {
        HeraldConfig c = TestServer.config("""
                rooms:
                  bindings:
                    - { name: INTERVIEW_ROOM, className: io.herald.room.builtin.PresenceRoom }
                    - { name: Doc, className: io.herald.room.builtin.YjsRoom }
                channels:
                  allow: ["team:{org}:*"]
                  public: ["news:*", "status"]
                broadcast:
                  tables: { applications: {}, notes: {} }
                """);

        String line = StartSummary.line(c, 8123, "epoll");

        assertThat(line).isEqualTo("Herald listening on 127.0.0.1:8123 (epoll, TLS off), version " + io.herald.HeraldVersion.get()
                + "; parties: interview-room (PresenceRoom), doc (YjsRoom); broadcast: 2 tables, 0 namespaces;"
                + " channels: 1 allow rules, 2 public, durable off; lanes: /lanes/v1; storage: SQLite " + c.storage().path()
                + "; cluster: off; cdc: off; admin: off");
    }

    @Test
    void aClusterNodeNamesItselfAndStorageInPostgresNamesNoPassword() {
        HeraldConfig c = TestServer.config("""
                cluster: { nodeId: n7, redis: { url: "redis://:secret@redis.internal:6379" } }
                storage: { url: "jdbc:postgresql://db.internal:5432/app?password=hunter2", user: herald }
                """);

        String line = StartSummary.line(c, 8080, "nio");

        assertThat(line).contains("(nio, TLS off)", "storage: PostgreSQL jdbc:postgresql://db.internal:5432/app schema herald",
                "cluster: node n7 on Redis").doesNotContain("secret", "hunter2");
    }
}
