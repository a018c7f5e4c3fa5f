package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasourceConfigTest {

    @Test
    void aJdbcUrlIsRequired() {
        assertThatThrownBy(() -> DatasourceConfig.of("sqlite:./app.db")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("url");
        assertThatThrownBy(() -> DatasourceConfig.of(null)).isInstanceOf(ConfigException.class);
    }

    @Test
    void poolAndQueueHavePositiveDefaults() {
        DatasourceConfig c = DatasourceConfig.of("jdbc:sqlite:./app.db");
        assertThat(c.maxPoolSize()).isEqualTo(DatasourceConfig.DEFAULT_POOL_SIZE);
        assertThat(c.maxQueue()).isEqualTo(DatasourceConfig.DEFAULT_MAX_QUEUE);
        assertThatThrownBy(() -> new DatasourceConfig("jdbc:sqlite:x", null, null, 0, null)).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> new DatasourceConfig("jdbc:sqlite:x", null, null, null, 0)).isInstanceOf(ConfigException.class);
    }

    @Test
    void toStringHidesThePassword() {
        assertThat(new DatasourceConfig("jdbc:postgresql://db/app", "app", "pg-password", null, null).toString())
                .doesNotContain("pg-password");
    }
}
