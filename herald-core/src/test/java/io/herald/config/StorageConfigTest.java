package io.herald.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StorageConfigTest {

    @Test
    void withoutAUrlRoomsAreStoredInTheSqliteFile() {
        StorageConfig c = StorageConfig.defaults();
        assertThat(c.postgres()).isFalse();
        assertThat(c.path()).isEqualTo(StorageConfig.DEFAULT_PATH);
        assertThat(c.maxRoomBytes()).isEqualTo(StorageConfig.DEFAULT_MAX_ROOM_BYTES);
    }

    @Test
    void aPostgresUrlGetsTheDefaultSchemaAndPool() {
        StorageConfig c = StorageConfig.postgres("jdbc:postgresql://db:5432/app", "herald", "pw", null);
        assertThat(c.postgres()).isTrue();
        assertThat(c.schema()).isEqualTo("herald");
        assertThat(c.poolSize()).isEqualTo(StorageConfig.DEFAULT_POOL_SIZE);
    }

    @Test
    void onlyPostgresUrlsAreAccepted() {
        assertThatThrownBy(() -> StorageConfig.postgres("jdbc:sqlite:./x.db", null, null, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("storage.url:").hasMessageContaining("storage.path");
        assertThatThrownBy(() -> StorageConfig.postgres("postgres://db/app", null, null, null))
                .hasMessageStartingWith("storage.url:");
    }

    @Test
    void aPathAndAUrlTogetherAreRefused() {
        assertThatThrownBy(() -> new StorageConfig("./x.db", null, "jdbc:postgresql://db/app", null, null, null, null, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("storage.path:").hasMessageContaining("not both");
    }

    @Test
    void theSchemaIsAPlainLowerCaseIdentifier() {
        for (String bad : new String[] {"Herald", "1st", "her-ald", "a\"b", "x".repeat(64), "public; drop"}) {
            assertThatThrownBy(() -> StorageConfig.postgres("jdbc:postgresql://db/app", null, null, bad))
                    .as(bad).isInstanceOf(ConfigException.class).hasMessageStartingWith("storage.schema:");
        }
        assertThat(StorageConfig.postgres("jdbc:postgresql://db/app", null, null, "rooms_2").schema()).isEqualTo("rooms_2");
    }

    @Test
    void thePoolSizeMustBePositive() {
        assertThatThrownBy(() -> new StorageConfig(null, null, "jdbc:postgresql://db/app", null, null, null, 0, null))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("storage.poolSize:");
    }

    @Test
    void toStringShowsNeitherThePasswordNorUrlParameters() {
        StorageConfig c = StorageConfig.postgres("jdbc:postgresql://db/app?password=url-secret&ssl=true", "herald", "pg-secret", null);
        assertThat(c.toString()).contains("jdbc:postgresql://db/app").doesNotContain("pg-secret").doesNotContain("url-secret");
        assertThat(c.urlWithoutParameters()).isEqualTo("jdbc:postgresql://db/app");
    }

    @Test
    void theStatementTimeoutDefaultsToTenSecondsWithinItsBounds() {
        assertThat(StorageConfig.postgres("jdbc:postgresql://db/app", null, null, null).statementTimeoutMs()).isEqualTo(10_000);
        assertThatThrownBy(() -> new StorageConfig(null, null, "jdbc:postgresql://db/app", null, null, null, null, 99L))
                .hasMessageStartingWith("storage.statementTimeoutMs:");
        assertThatThrownBy(() -> new StorageConfig(null, null, "jdbc:postgresql://db/app", null, null, null, null, 600_001L))
                .hasMessageStartingWith("storage.statementTimeoutMs:");
    }
}
