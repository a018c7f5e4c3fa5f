package io.herald.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.herald.config.ClusterConfig;
import io.herald.config.HeraldConfig;
import io.herald.server.config.ConfigLoader;
import io.herald.server.config.RepositoryDocs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code herald default-config}: a complete, commented herald.yaml that loads exactly as an empty file does. */
class DefaultConfigCommandTest {
    private static final Map<String, String> SECRETS = Map.of(
            "ACCESS_TOKEN", "default-config-test-access-token-0123456789", "JWT_SECRET", "default-config-test-jwt-secret-0123456789");

    @TempDir
    Path dir;

    private static String printed() {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new Main(Map.of())).setOut(new PrintWriter(out, true)).execute("default-config");
        assertThat(code).isZero();
        return out.toString();
    }

    private Path file() throws IOException {
        return Files.writeString(dir.resolve("herald.yaml"), printed());
    }

    @Test
    void theFileLoadsUnchangedAndGivesTheConfigurationOfAnEmptyFile() throws IOException {
        HeraldConfig printed = new ConfigLoader(SECRETS).load(file(), null).config();
        HeraldConfig empty = new ConfigLoader(SECRETS).load(null, null).config();

        assertThat(sameNode(printed)).isEqualTo(sameNode(empty));
    }

    @Test
    void inDevModeTooTheFileGivesWhatAnEmptyFileGives() throws IOException {
        ConfigLoader.Loaded printed = new ConfigLoader(Map.of()).load(file(), null);
        ConfigLoader.Loaded empty = new ConfigLoader(Map.of()).load(null, null);

        assertThat(printed.generated()).isEqualTo(empty.generated()).containsExactly("ACCESS_TOKEN", "JWT_SECRET");
        // the generated secrets differ from run to run, like the node id
        assertThat(sameSecrets(sameNode(printed.config()))).isEqualTo(sameSecrets(sameNode(empty.config())));
        assertThat(printed.config().admin().enabled()).isTrue();
    }

    @Test
    void everyKeyIsThereWithItsDescriptionAndNoSecretHasAValue() {
        String yaml = printed();

        assertThat(yaml).contains("""
                  # Port for HTTP, WebSocket and SSE (HTTPS and WSS with tls); 0 picks a free one.
                  port: 8080
                """)
                .contains("  # accessToken: ${ACCESS_TOKEN}\n")
                .contains("    # secret: ${JWT_SECRET}\n")
                .contains("  # tls:\n  #   # PEM certificate")
                .contains("  bindings: []\n  # bindings:\n")
                .contains("  #   - name: CHAT\n")
                .contains("  #     # Who may connect: public, authenticated, or an object with one gate.\n")
                .contains("  #     # masking:\n  #     #   <field>:\n  #     #     # Masking function. Required.\n  #     #     type: email\n")
                .doesNotContain(SECRETS.get("ACCESS_TOKEN"));
        for (String key : new String[] {"maxPendingBytes", "reloadIntervalMs", "clockSkewSeconds", "softDelete", "kindGroup",
                "relayWindowMs", "statementTimeoutMs", "maxQueue", "prefix", "leaderRetryMs", "userColumn", "enabled"}) {
            assertThat(yaml).containsPattern("(?m)^[ #]*" + key + ":");
        }
    }

    @Test
    void theFileAndEachTemplateInItMatchTheSchema() throws IOException {
        String yaml = printed();
        Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(RepositoryDocs.dir().resolve("herald.schema.json")));
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());

        assertThat(schema.validate(mapper.readTree(yaml))).isEmpty();
        // with every first-level comment taken away: the optional sections and one item of each list and map, as
        // templates show them
        String uncommented = uncommentOnce(yaml);
        JsonNode all = mapper.readTree(uncommented);
        assertThat(schema.validate(all)).isEmpty();
        assertThat(all.at("/rooms/bindings/0/name").asText()).isEqualTo("CHAT");
        assertThat(all.at("/broadcast/tables/<table>/schema").asText()).isEqualTo("public");
        assertThat(all.at("/rooms/bindings/0/access/mode").asText()).isEqualTo("authenticated");
        assertThat(all.at("/server/tls/certFile").asText()).isEqualTo("/etc/herald/tls/tls.crt");
    }

    /**
     * The file with the outermost {@code # } of each commented-out key removed, the descriptions left as comments: a
     * line whose text after that {@code # } is a key ({@code name:}, {@code - name:}) or a map's {@code <key>:}.
     */
    private static String uncommentOnce(String yaml) {
        Pattern commented = Pattern.compile("^( *)# ( *(?:- )?[a-z<][A-Za-z0-9<>]*:(?: .*)?)$");
        StringBuilder out = new StringBuilder();
        for (String line : yaml.split("\n", -1)) {
            Matcher m = commented.matcher(line);
            out.append(m.matches() ? m.group(1) + m.group(2) : line).append('\n');
        }
        // "bindings: []" then its template "bindings:" (or "allowedOrigins: []" then an example): the second replaces the first
        return out.toString().replaceAll("(?m)^( *)([A-Za-z]+): (?:\\[]|\\{})\\n(?=\\1\\2:)", "");
    }

    private static HeraldConfig sameNode(HeraldConfig c) {
        return c.withCluster(new ClusterConfig("test-node", c.cluster().redis(), c.cluster().replyTimeoutMs()));
    }

    private static HeraldConfig sameSecrets(HeraldConfig c) {
        return c.withServer(c.server().withAccessToken(SECRETS.get("ACCESS_TOKEN")))
                .withAuth(c.auth().withJwt(c.auth().jwt().withSecret(SECRETS.get("JWT_SECRET"))));
    }
}
