package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.server.config.ConfigKeys.Key;
import io.herald.server.config.ConfigKeys.Kind;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/configuration.md} and {@code docs/herald.schema.json} are what the {@code @Doc} annotations and the
 * defaults of the records in {@code io.herald.config} give: each test regenerates one in memory and fails while the
 * committed file differs. After changing a key, regenerate both with
 * <pre>
 * ./mvnw -q -pl herald-server -am test -Dherald.examples.skip -Dtest=ConfigReferenceTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dherald.docs.write=true
 * </pre>
 * ({@link ConfigMarkdown#REGENERATE}): with {@code -Dherald.docs.write=true} the tests write the files instead of
 * comparing them. Also checks that each {@code HERALD_*} variable the reference names is one the loader maps to its key.
 */
class ConfigReferenceTest {
    private static final boolean WRITE = Boolean.getBoolean("herald.docs.write");
    private static final String SECRET = "config-reference-test-secret-0123456789abcdef";
    private static final Key ROOT = ConfigKeys.root();

    @Test
    void configurationMdIsWhatTheRecordsSay() throws IOException {
        check("configuration.md", ConfigMarkdown.render(ROOT));
    }

    @Test
    void heraldSchemaJsonIsWhatTheRecordsSay() throws IOException {
        check("herald.schema.json", ConfigSchema.render(ROOT));
    }

    private static void check(String name, String generated) throws IOException {
        Path file = RepositoryDocs.dir().resolve(name);
        if (WRITE) {
            Files.writeString(file, generated, StandardCharsets.UTF_8);
            return;
        }
        String committed = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        if (!committed.equals(generated)) {
            fail("docs/" + name + " is not what the @Doc annotations and defaults of io.herald.config give"
                    + " (first difference at line " + firstDifference(committed, generated) + "). Regenerate it with\n  "
                    + ConfigMarkdown.REGENERATE);
        }
    }

    private static int firstDifference(String a, String b) {
        List<String> x = a.lines().toList();
        List<String> y = b.lines().toList();
        int i = 0;
        while (i < x.size() && i < y.size() && x.get(i).equals(y.get(i))) {
            i++;
        }
        return i + 1;
    }

    @Test
    void everyKeyIsListedWithItsPathAndEveryDefaultIsTheLoaders() throws IOException {
        String md = ConfigMarkdown.render(ROOT);
        List<Key> keys = named();
        assertThat(keys).hasSizeGreaterThan(150);
        // every key but the sections, which have a heading
        keys.stream().filter(k -> k.path().contains(".")).forEach(k -> assertThat(md).contains("| `" + k.path() + "` |"));
        assertThat(md).contains("| `rooms.bindings[].access.resources.<kind>.firewall` |")
                .contains("| `server.port` | integer | `8080` | `HERALD_SERVER_PORT` |")
                .contains("| `server.transport` | one of `auto`, `nio`, `epoll`, `io_uring` | `auto` |")
                .contains("| `broadcast.tables.<table>.masking.<field>.type` | one of `ssn`, `email`, `phone`, `name`, `redact` | required |")
                .contains("| `rooms.workers` | integer | max(4, 2 × CPU cores) |")
                .contains("| `lanes.maxFrameBytes` | integer | `65536` (64 KiB) |");
        // the defaults come from the records through an empty file, never from a second copy
        assertThat(ConfigKeys.find(ROOT, "server.pingIntervalMs").orElseThrow().defaultValue().asLong())
                .isEqualTo(io.herald.config.ServerConfig.DEFAULT_PING_INTERVAL_MS);
        assertThat(ConfigKeys.find(ROOT, "server.tls.reloadIntervalMs").orElseThrow().defaultValue().asLong())
                .isEqualTo(io.herald.config.ServerConfig.Tls.DEFAULT_RELOAD_INTERVAL_MS);
        assertThat(ConfigKeys.find(ROOT, "datasources.<datasource>.maxPoolSize").orElseThrow().defaultValue().asInt())
                .isEqualTo(io.herald.config.DatasourceConfig.DEFAULT_POOL_SIZE);
    }

    @Test
    void noSecretHasAValueInTheReferenceOnlyAReference() {
        String all = ConfigMarkdown.render(ROOT) + ConfigSchema.render(ROOT) + DefaultConfig.render(ROOT, "test");
        assertThat(all).doesNotContain("placeholder-secret");
        for (ConfigLoader.Secret s : ConfigLoader.SECRETS) {
            Key k = ConfigKeys.find(ROOT, s.path()).orElseThrow();
            assertThat(k.secret()).isEqualTo(s);
            assertThat(k.defaultValue()).isNull();
        }
    }

    @Test
    void everyKeyWithoutADefaultShowsAnExample() {
        List<String> missing = new ArrayList<>();
        for (Key k : named()) {
            boolean example = !k.doc().example().isEmpty() || k.secret() != null;
            if ((k.unset() || k.required()) && k.kind() != Kind.OBJECT && !example) {
                missing.add(k.path());
            }
        }
        assertThat(missing).as("keys without a default and without @Doc(example = ...)").isEmpty();
    }

    /** Each variable in the environment column, set alone, reaches its key: the loader neither ignores nor misplaces it. */
    @Test
    void everyEnvironmentVariableInTheReferenceSetsItsKey() {
        List<String> wrong = new ArrayList<>();
        for (Key k : named()) {
            if (k.env() == null) {
                continue;
            }
            JsonNode sample = k.secret() != null ? ConfigKeys.YAML.getNodeFactory().textNode(SECRET + "-own")
                    : k.defaultValue() != null ? k.defaultValue() : ConfigKeys.example(k.doc());
            String text = sample.isArray()
                    ? java.util.stream.StreamSupport.stream(sample.spliterator(), false).map(JsonNode::asText).collect(Collectors.joining(","))
                    : sample.asText();
            Map<String, String> env = new HashMap<>(Map.of("ACCESS_TOKEN", SECRET, "JWT_SECRET", SECRET));
            env.put(k.env(), text);
            ConfigLoader.Loaded loaded;
            try {
                loaded = new ConfigLoader(env).load(null, null);
            } catch (ConfigException e) {
                continue; // the value reached the key and its section wants more (server.tls.certFile without keyFile)
            }
            Object actual = valueAt(loaded.config(), k.path());
            if (!loaded.warnings().isEmpty() || !YamlText.inline(ConfigKeys.YAML.valueToTree(actual)).equals(YamlText.inline(sample))) {
                wrong.add(k.env() + " -> " + k.path() + ": " + loaded.warnings() + " " + actual);
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static Object valueAt(HeraldConfig config, String path) {
        Object v = config;
        for (String name : path.split("\\.")) {
            Object parent = v;
            v = null;
            for (RecordComponent rc : parent.getClass().getRecordComponents()) {
                if (ConfigKeys.yamlName(rc).equals(name)) {
                    try {
                        v = rc.getAccessor().invoke(parent);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return v;
    }

    private static List<Key> named() {
        List<Key> keys = new ArrayList<>();
        ROOT.forEach(k -> {
            if (k.name() != null) {
                keys.add(k);
            }
        });
        return keys;
    }
}
