package io.herald.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata of the herald.yaml keys ({@code META-INF/additional-spring-configuration-metadata.json}) is
 * generated from the configuration records; this test fails when a record changed and the file did not. Rewrite it
 * with {@code -Dherald.metadata.write=true}.
 */
class HeraldBootMetadataTest {
    static final Path FILE = Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final Map<String, String> DESCRIPTIONS = Map.of(
            "herald.server.access-token", "Server credential for the publish API (at least 32 characters). Never written literally in a file: use a placeholder such as ${ACCESS_TOKEN}, or set ACCESS_TOKEN.",
            "herald.auth.jwt.secret", "HS256 key for session JWTs (at least 32 bytes). Never written literally in a file: use a placeholder such as ${JWT_SECRET}, or set JWT_SECRET.",
            "herald.storage.password", "The PostgreSQL storage's password. Never written literally in a file: use a placeholder, or set HERALD_STORAGE_PASSWORD.",
            "herald.cdc.postgres.password", "The change-capture connection's password. Never written literally in a file: use a placeholder, or set HERALD_CDC_PASSWORD.");

    /** Defaults that depend on the machine or the run: none is written. */
    static final java.util.Set<String> NO_DEFAULT = java.util.Set.of(
            "herald.cluster.node-id",   // random per start
            "herald.rooms.workers",     // from the processor count
            "herald.admin.enabled");    // on in dev mode, off otherwise

    @Test
    void metadataMatchesTheConfigurationRecords() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode groups = root.putArray("groups");
        ArrayNode properties = root.putArray("properties");
        walk(HeraldConfig.class, HeraldConfig.empty(), "herald", groups, properties);
        String expected = JSON.writeValueAsString(root) + "\n";
        if (Boolean.getBoolean("herald.metadata.write")) {
            Files.writeString(FILE, expected);
        }
        assertThat(Files.readString(FILE)).as("%s is generated from the records: rerun with -Dherald.metadata.write=true", FILE)
                .isEqualTo(expected);
    }

    private static void walk(Class<?> record, Object defaults, String prefix, ArrayNode groups, ArrayNode properties) {
        for (RecordComponent rc : record.getRecordComponents()) {
            JsonProperty renamed = rc.getAccessor().getAnnotation(JsonProperty.class);
            String key = renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
            String name = prefix + "." + kebab(key);
            Object value = null;
            try {
                value = defaults == null ? null : rc.getAccessor().invoke(defaults);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (rc.getType().isRecord() && !rc.getType().getName().endsWith("RoomsConfig$Access")) {
                groups.addObject().put("name", name).put("type", rc.getType().getName()).put("sourceType", record.getName());
                walk(rc.getType(), value, name, groups, properties);
                continue;
            }
            ObjectNode p = properties.addObject().put("name", name).put("type", typeName(rc.getGenericType())).put("sourceType", record.getName());
            if (DESCRIPTIONS.containsKey(name)) {
                p.put("description", DESCRIPTIONS.get(name));
            }
            if (NO_DEFAULT.contains(name)) {
                continue;
            }
            if (value instanceof Number || value instanceof Boolean || value instanceof Enum<?>
                    || (value instanceof String s && !DESCRIPTIONS.containsKey(name) && !s.isEmpty())) {
                // an enum as its YAML value (@JsonValue)
                p.set("defaultValue", JSON.valueToTree(value));
            } else if (value instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof String) {
                p.set("defaultValue", JSON.valueToTree(l));
            }
        }
    }

    private static String typeName(Type t) {
        if (t instanceof Class<?> c) {
            return c.getName();
        }
        if (t instanceof ParameterizedType p) {
            StringBuilder b = new StringBuilder(typeName(p.getRawType())).append('<');
            Type[] args = p.getActualTypeArguments();
            for (int i = 0; i < args.length; i++) {
                b.append(i == 0 ? "" : ",").append(typeName(args[i]));
            }
            return b.append('>').toString();
        }
        return t.getTypeName();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
