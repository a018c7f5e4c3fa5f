package io.herald.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * {@link ConfigLoader} over random YAML trees shaped like {@link HeraldConfig} (the right keys with values of
 * any type, unknown keys, ${VAR} references) and random {@code HERALD_*} variables for its keys: a valid
 * configuration or a {@link ConfigException} naming a key, never a Jackson, number-format or null-pointer
 * exception.
 */
class ConfigLoaderPropertiesTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path DIR;
    private static final List<String> LEAVES = new ArrayList<>();
    /** One loader over an environment refilled per try: a loader's YAML mapper learns HeraldConfig's shape once. */
    private static final Map<String, String> ENV = new HashMap<>();
    private static final ConfigLoader LOADER = new ConfigLoader(ENV);

    static {
        try {
            DIR = Files.createTempDirectory("config-properties");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        collectLeaves(HeraldConfig.class, "HERALD");
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        try (var files = Files.list(DIR)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(DIR);
    }

    /** A configuration file's tree and an environment. */
    record Input(JsonNode yaml, Map<String, String> env) {
    }

    @Provide
    Arbitrary<Input> inputs() {
        return Arbitraries.randomValue(r -> {
            JsonNode tree = r.nextInt(10) == 0 ? scalar(r) : value(r, HeraldConfig.class, HeraldConfig.class, 0);
            Map<String, String> env = new HashMap<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                env.put(r.nextInt(8) == 0 ? "HERALD_" + word(r) : LEAVES.get(r.nextInt(LEAVES.size())), text(r));
            }
            if (r.nextBoolean()) {
                env.put("ACCESS_TOKEN", text(r));
                env.put("JWT_SECRET", text(r));
            }
            if (r.nextBoolean()) {
                env.put("VAR", text(r));
            }
            return new Input(tree, env);
        });
    }

    @Property(tries = 10000)
    void anyFileAndEnvironmentGiveAConfigOrAConfigExceptionNamingAKey(@ForAll("inputs") Input input,
            @ForAll("ports") String port) throws IOException {
        Path file = DIR.resolve("herald.yaml");
        Files.writeString(file, YAML.writeValueAsString(input.yaml()));
        ENV.clear();
        ENV.putAll(input.env());
        if (!port.isEmpty()) {
            ENV.put("HERALD_SERVER_PORT", port);
        }
        try {
            ConfigLoader.Loaded loaded = LOADER.load(file, null);
            assertThat(loaded.config()).isNotNull();
            Statistics.collect("config");
        } catch (ConfigException e) {
            Statistics.collect("ConfigException");
            int colon = e.getMessage().indexOf(": ");
            assertThat(colon).as("%s names a key", e.getMessage()).isPositive();
        } catch (RuntimeException e) {
            throw new AssertionError("not a ConfigException for\n" + YAML.writeValueAsString(input.yaml()) + "env " + ENV, e);
        }
    }

    @Provide
    Arbitrary<String> ports() {
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.strings().ofMaxLength(12),
                Arbitraries.integers().map(Object::toString), Arbitraries.longs().map(Object::toString),
                Arbitraries.of("8080", "0", "-1", "65536", "99999999999", "1e3", "0x50", " 80", "${VAR}", "80.5"));
    }

    /** A value for a slot of {@code type}: usually of that shape, sometimes anything. */
    private static JsonNode value(Random r, Class<?> type, Type generic, int depth) {
        if (r.nextInt(20) == 0 || depth > 5) {
            return scalar(r);
        }
        if (type.isRecord()) {
            ObjectNode o = NODES.objectNode();
            for (RecordComponent c : type.getRecordComponents()) {
                if (r.nextInt(3) == 0) {
                    o.set(key(c), value(r, c.getType(), c.getGenericType(), depth + 1));
                }
            }
            if (r.nextInt(20) == 0) {
                o.set(word(r), scalar(r));
            }
            return o;
        }
        if (Map.class.isAssignableFrom(type) || List.class.isAssignableFrom(type)) {
            Type[] args = generic instanceof ParameterizedType p ? p.getActualTypeArguments() : new Type[] {Object.class};
            Type element = args[args.length - 1];
            Class<?> raw = element instanceof Class<?> c ? c : element instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
            if (List.class.isAssignableFrom(type)) {
                ArrayNode a = NODES.arrayNode();
                for (int i = r.nextInt(3); i > 0; i--) {
                    a.add(value(r, raw, element, depth + 1));
                }
                return a;
            }
            ObjectNode o = NODES.objectNode();
            for (int i = r.nextInt(3); i > 0; i--) {
                o.set(word(r), value(r, raw, element, depth + 1));
            }
            return o;
        }
        if (type.isEnum()) {
            Object[] constants = type.getEnumConstants();
            String name = constants[r.nextInt(constants.length)].toString();
            return NODES.textNode(r.nextBoolean() ? name : name.toLowerCase(Locale.ROOT) + word(r));
        }
        if (type == String.class) {
            return NODES.textNode(text(r));
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return r.nextInt(4) == 0 ? scalar(r) : NODES.numberNode(r.nextInt(100_000) + 1);
        }
        if (type == boolean.class || type == Boolean.class) {
            return r.nextInt(4) == 0 ? scalar(r) : NODES.booleanNode(r.nextBoolean());
        }
        return scalar(r);
    }

    private static JsonNode scalar(Random r) {
        return switch (r.nextInt(9)) {
            case 0 -> NODES.numberNode(r.nextInt());
            case 1 -> NODES.numberNode(r.nextLong());
            case 2 -> NODES.numberNode(r.nextDouble() * 1e12 - 5e11);
            case 3 -> NODES.booleanNode(r.nextBoolean());
            case 4 -> NODES.nullNode();
            case 5 -> NODES.numberNode(new java.math.BigInteger(100, r));
            case 6 -> NODES.arrayNode().add(text(r));
            case 7 -> NODES.objectNode().put(word(r), text(r));
            default -> NODES.textNode(text(r));
        };
    }

    private static String text(Random r) {
        String[] samples = {"", " ", "0", "-1", "1", "8080", "65536", "99999999999999999999", "1.5", "true", "no", "null", "~",
            "${VAR}", "${UNSET}", "${UNSET:-7}", "${VAR:-}", "${", "$${VAR}", "a,b,,c", "https://app.example.com", "jdbc:sqlite::memory:",
            "/lanes/v1", "ws", "é\u0000", "\"", "\\", "${VAR} and ${UNSET:-x}"};
        return r.nextInt(4) == 0 ? word(r) : samples[r.nextInt(samples.length)];
    }

    private static String word(Random r) {
        StringBuilder b = new StringBuilder();
        for (int i = r.nextInt(6) + 1; i > 0; i--) {
            b.append((char) ('a' + r.nextInt(26)));
        }
        return b.toString();
    }

    private static String key(RecordComponent c) {
        JsonProperty renamed = c.getAccessor().getAnnotation(JsonProperty.class);
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : c.getName();
    }

    /** The environment names of every key below {@code type}: HERALD_SERVER_PORT, HERALD_LANES_MAX_FRAME_BYTES... */
    private static void collectLeaves(Class<?> type, String prefix) {
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + "_" + key(c).replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            if (c.getType().isRecord()) {
                collectLeaves(c.getType(), name);
            } else {
                LEAVES.add(name);
            }
        }
    }
}
