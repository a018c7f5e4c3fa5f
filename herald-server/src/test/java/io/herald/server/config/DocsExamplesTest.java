package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.herald.config.BroadcastConfig;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code herald.yaml} example in {@code docs/*.md} is one a user can paste: it matches
 * {@code docs/herald.schema.json} (checked by a JSON Schema validator, as an editor would) and loads through
 * {@link ConfigLoader}.
 *
 * <p>Which blocks are checked: every fenced {@code ```yaml} (or {@code ```yml}) block whose top level is a mapping
 * naming at least one section of {@code herald.yaml} ({@code server}, {@code auth}, {@code broadcast}, ...). Any other
 * block, a Kubernetes manifest, a compose file, is not a {@code herald.yaml} and is skipped. For loading, the
 * {@code ${VAR}} variables a block references are set to 40-character stand-ins (secrets need 32), and an angle-bracket
 * placeholder such as {@code <tenant>} is filled in with its own name, as a reader fills it in.
 */
class DocsExamplesTest {
    private static final Pattern FENCE = Pattern.compile("(?m)^```ya?ml[ \\t]*\\n(.*?)^```", Pattern.DOTALL);
    private static final Pattern SQL_FENCE = Pattern.compile("(?m)^```sql[ \\t]*\\n(.*?)^```", Pattern.DOTALL);
    private static final Pattern PLACEHOLDER = Pattern.compile("<([A-Za-z][A-Za-z0-9-]*)>");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> SECTIONS = ConfigKeys.root().fields().stream().map(ConfigKeys.Key::name)
            .collect(Collectors.toUnmodifiableSet());

    private static Schema schema;
    private static List<Example> examples;

    @TempDir
    Path dir;

    /** One block: where it is, its text, and the page's SQL (the DDL its checks run against). */
    record Example(String where, String yaml, JsonNode tree, List<String> pageSql) {
    }

    @BeforeAll
    static void readDocs() throws IOException {
        schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(Files.readString(RepositoryDocs.dir().resolve("herald.schema.json")));
        examples = new ArrayList<>();
        try (Stream<Path> pages = Files.list(RepositoryDocs.dir())) {
            for (Path page : pages.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(page);
                List<String> sql = new ArrayList<>();
                SQL_FENCE.matcher(text).results().forEach(m -> sql.add(m.group(1)));
                Matcher m = FENCE.matcher(text);
                while (m.find()) {
                    JsonNode tree = YAML.readTree(m.group(1));
                    if (tree != null && tree.isObject() && tree.properties().stream().anyMatch(e -> SECTIONS.contains(e.getKey()))) {
                        int line = (int) text.substring(0, m.start()).chars().filter(c -> c == '\n').count() + 1;
                        examples.add(new Example("docs/" + page.getFileName() + ":" + line, m.group(1), tree, List.copyOf(sql)));
                    }
                }
            }
        }
    }

    @Test
    void theDocsHaveTheirExamples() {
        // guards the rule above: a change that stops finding the blocks would otherwise check nothing
        assertThat(examples).hasSizeGreaterThanOrEqualTo(20);
        assertThat(examples).extracting(Example::where).anyMatch(w -> w.startsWith("docs/broadcast.md"))
                .anyMatch(w -> w.startsWith("docs/rooms.md")).anyMatch(w -> w.startsWith("docs/cdc.md"))
                .anyMatch(w -> w.startsWith("docs/operations.md"));
    }

    @Test
    void everyExampleMatchesTheSchema() {
        List<String> wrong = new ArrayList<>();
        for (Example e : examples) {
            List<Error> errors = schema.validate(e.tree());
            errors.forEach(err -> wrong.add(e.where() + ": " + err));
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyExampleLoads() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (Example e : examples) {
            Map<String, String> env = new HashMap<>();
            env.put("ACCESS_TOKEN", standIn("ACCESS_TOKEN"));
            env.put("JWT_SECRET", standIn("JWT_SECRET"));
            ConfigLoader.VAR.matcher(e.yaml()).results().forEach(m -> env.put(m.group(1), standIn(m.group(1))));
            Path file = Files.writeString(dir.resolve("herald.yaml"), PLACEHOLDER.matcher(e.yaml()).replaceAll("$1"));
            try {
                ConfigLoader.Loaded loaded = new ConfigLoader(env).load(file, null);
                if (!loaded.warnings().isEmpty()) {
                    wrong.add(e.where() + ": " + loaded.warnings());
                }
                checkSql(e, loaded.config(), wrong);
            } catch (ConfigException ex) {
                wrong.add(e.where() + ": " + ex.getMessage());
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** A resource-ticket check is prepared at start-up: it must prepare against the tables its page creates. */
    private static void checkSql(Example e, HeraldConfig config, List<String> wrong) {
        BroadcastConfig.WsTicket ticket = config.broadcast().wsTicket();
        if (ticket == null) {
            return;
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement s = db.createStatement()) {
            for (String block : e.pageSql()) {
                for (String statement : block.split(";\\s*(--[^\\n]*)?\\n")) {
                    if (!statement.isBlank()) {
                        s.execute(statement);
                    }
                }
            }
            db.prepareStatement(ticket.check().positional().getKey()).close();
        } catch (SQLException ex) {
            wrong.add(e.where() + ": broadcast.wsTicket.check.sql does not prepare against the page's ```sql: " + ex.getMessage());
        }
    }

    private static String standIn(String variable) {
        return (variable.toLowerCase(java.util.Locale.ROOT) + "-docs-example-value-0123456789abcdefghijklmnop").substring(0, 40);
    }
}
