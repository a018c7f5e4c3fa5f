package io.herald.server.cdc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.herald.config.CdcConfig;
import io.herald.config.ConfigException;
import io.herald.postgres.PgProcesses;
import io.herald.server.TestServer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A database without logical decoding stops the start with the setting to change and that it needs a restart. */
class ChangeCaptureWalLevelTest {
    @RegisterExtension
    static final PgProcesses PG = PgProcesses.create();

    @Test
    void walLevelOtherThanLogicalIsNamed() throws Exception {
        try (Connection c = PG.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE items (id int PRIMARY KEY, org text)");
        }
        assertThatThrownBy(() -> TestServer.start(TestServer.config("broadcast: { tables: { items: {} } }").withCdc(new CdcConfig(
                new CdcConfig.Postgres(PG.url(), PG.user(), PG.password(), null, null,
                        Map.of("items", new CdcConfig.Source("org", null, null)), null, null)))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cdc.postgres.url")
                .hasMessageContaining("wal_level is 'replica'")
                .hasMessageContaining("wal_level = logical")
                .hasMessageContaining("restart of PostgreSQL");
    }
}
