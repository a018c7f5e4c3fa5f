package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode's secrets kept in {@code ./data/dev-secrets}: the same across starts, owner-only, never over the environment. */
class DevSecretsTest {
    @TempDir
    Path dir;

    private ConfigLoader.Loaded start(Map<String, String> env) {
        return new ConfigLoader(env).devSecrets(DevSecrets.keptIn(dir.resolve(DevSecrets.DEFAULT))).load(null, null);
    }

    @Test
    void twoStartsInTheSameFolderGetTheSameSecretsFromAFileOnlyItsOwnerCanRead() throws Exception {
        ConfigLoader.Loaded first = start(Map.of());
        ConfigLoader.Loaded second = start(Map.of());

        Path file = dir.resolve("data").resolve("dev-secrets");
        assertThat(first.devMode()).isTrue();
        assertThat(first.devSecrets()).isEqualTo(new DevSecrets.Use(file, java.util.List.of("ACCESS_TOKEN", "JWT_SECRET"), true));
        assertThat(second.devSecrets()).isEqualTo(new DevSecrets.Use(file, java.util.List.of("ACCESS_TOKEN", "JWT_SECRET"), false));
        assertThat(second.config().server().accessToken()).isEqualTo(first.config().server().accessToken()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(second.config().auth().jwt().secret()).isEqualTo(first.config().auth().jwt().secret())
                .isNotEqualTo(first.config().server().accessToken());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("ACCESS_TOKEN=" + first.config().server().accessToken());
        try (var left = Files.list(file.getParent())) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("dev-secrets");
        }
    }

    @Test
    void theEnvironmentAlwaysWinsAndIsNeverWrittenToTheFile() throws Exception {
        String given = "jwt-secret-from-the-environment-0123456789";
        ConfigLoader.Loaded withJwt = start(Map.of("JWT_SECRET", given));
        ConfigLoader.Loaded without = start(Map.of());
        ConfigLoader.Loaded both = start(Map.of("JWT_SECRET", given, "ACCESS_TOKEN", "access-token-from-the-environment-0123"));

        assertThat(withJwt.generated()).containsExactly("ACCESS_TOKEN");
        assertThat(withJwt.config().auth().jwt().secret()).isEqualTo(given);
        assertThat(Files.readString(dir.resolve(DevSecrets.DEFAULT))).doesNotContain(given);
        // the next start without it gets a secret of its own, kept beside the access token of the first
        assertThat(without.config().server().accessToken()).isEqualTo(withJwt.config().server().accessToken());
        assertThat(without.config().auth().jwt().secret()).isNotEqualTo(given);
        assertThat(without.devSecrets().written()).isTrue();
        assertThat(both.devMode()).isFalse();
        assertThat(both.devSecrets()).isNull();
        assertThat(both.config().server().accessToken()).isEqualTo("access-token-from-the-environment-0123");
    }

    @Test
    void readingOnlyNeverCreatesTheFileAndAnUnwritableFolderOnlyWarns() throws Exception {
        ConfigLoader.Loaded read = new ConfigLoader(Map.of()).devSecrets(DevSecrets.readFrom(dir.resolve(DevSecrets.DEFAULT))).load(null, null);
        assertThat(read.devMode()).isTrue();
        assertThat(read.devSecrets()).isNull();
        assertThat(dir.resolve("data")).doesNotExist();

        // "data" is a file here, so the secrets cannot be kept: the start goes on with secrets for this run only
        Files.writeString(dir.resolve("data"), "not a folder");
        ConfigLoader.Loaded unkept = start(Map.of());
        assertThat(unkept.devMode()).isTrue();
        assertThat(unkept.devSecrets()).isNull();
        assertThat(unkept.warnings()).singleElement().asString().contains("cannot write the dev secrets").endsWith("the new secrets last for this run only");
    }

    @Test
    void aValueTooShortInTheFileIsReplaced() throws Exception {
        Path file = dir.resolve(DevSecrets.DEFAULT);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "ACCESS_TOKEN=short\nJWT_SECRET=kept-jwt-secret-0123456789-0123456789\n");

        ConfigLoader.Loaded loaded = start(Map.of());

        assertThat(loaded.config().server().accessToken()).hasSizeGreaterThanOrEqualTo(32);
        assertThat(loaded.config().auth().jwt().secret()).isEqualTo("kept-jwt-secret-0123456789-0123456789");
        assertThat(Files.readString(file)).doesNotContain("ACCESS_TOKEN=short\n");
    }
}
