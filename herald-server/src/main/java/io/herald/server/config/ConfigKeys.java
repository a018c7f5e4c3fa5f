package io.herald.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.herald.config.Doc;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Every key of {@code herald.yaml}, found by walking the configuration records from {@link HeraldConfig}: each
 * record component is a key, described by its {@link Doc}. Defaults are what {@link ConfigLoader} makes of an
 * empty file (with the secrets given, so not dev mode); a record that has no default instance (a list item, a map
 * value, an optional section such as {@code server.tls}) is bound from its required keys' examples and shows the
 * defaults its constructor gives the rest. The source of {@code docs/configuration.md},
 * {@code docs/herald.schema.json} and {@code herald default-config}. Stateless; thread-safe.
 */
public final class ConfigKeys {
    /** What a key holds. */
    public enum Kind { SCALAR, LIST, MAP, OBJECT }

    /**
     * One key, or the item of a list ({@code path} ends with {@code []}) or the value of a map ({@code <name>}).
     *
     * @param name the YAML key, null for an item
     * @param javaType the component's class ({@code Integer}, {@code MaskType}, a record)
     * @param values the only values accepted, by a scalar (for a list or a map: by its items)
     * @param item a list's item or a map's value, else null
     * @param fields an object's keys, else empty
     * @param textForms values an object also accepts as a plain string ({@code access: public}), else empty
     * @param defaultValue the default, or null: none, required, computed at start-up, a secret, or an object's (its
     *     keys have theirs) unless it equals one of its {@code textForms}
     * @param unset whether the key has no value unless one is given: no default, computed at start-up, a secret, or
     *     an object that is off when absent ({@code server.tls})
     * @param env the {@code HERALD_*} variable that sets the key, or null
     * @param secret how the secret is given, or null
     */
    public record Key(String path, String name, Doc doc, Kind kind, Class<?> javaType, List<String> values, Key item,
                      List<Key> fields, List<String> textForms, JsonNode defaultValue, boolean unset, String env,
                      ConfigLoader.Secret secret) {
        /** Whether the key must be given when its parent is. */
        public boolean required() {
            return doc.required();
        }

        /** The default computed at start-up, in words, or empty. */
        public String computedDefault() {
            return doc.computedDefault();
        }

        /** The JSON type of a scalar: string, integer or boolean. */
        public String scalarType() {
            if (javaType == Integer.class || javaType == Long.class) {
                return "integer";
            }
            return javaType == Boolean.class ? "boolean" : "string";
        }

        /** This key and every key under it, depth first, in the records' order. */
        public void forEach(Consumer<Key> action) {
            action.accept(this);
            if (item != null) {
                item.forEach(action);
            }
            fields.forEach(f -> f.forEach(action));
        }
    }

    /** Not a secret of anyone: the defaults are read with secrets given, so that the loader is not in dev mode. */
    private static final String PLACEHOLDER_SECRET = "configuration-reference-placeholder-secret-0123456789";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigKeys() {
    }

    /** The whole configuration: an object whose fields are the sections. */
    public static Key root() {
        HeraldConfig defaults = new ConfigLoader(Map.of("ACCESS_TOKEN", PLACEHOLDER_SECRET, "JWT_SECRET", PLACEHOLDER_SECRET))
                .load(null, null).config();
        return object("", null, null, HeraldConfig.class, defaults, true);
    }

    /** The key at {@code path} of a component of {@code declaring} with type {@code type} and default {@code value}. */
    private static Key walk(Class<?> declaring, String path, String name, Doc doc, Type type, Object value, boolean envReachable) {
        Class<?> raw = raw(type);
        if (raw.isRecord()) {
            return object(path, name, doc, raw, value, envReachable);
        }
        List<String> values = allowed(declaring, doc, raw);
        if (List.class.isAssignableFrom(raw)) {
            Type itemType = argument(type, 0);
            Key item = walk(declaring, path + "[]", null, doc, itemType, null, false);
            String env = envReachable && raw(itemType) == String.class ? env(path) : null;
            return new Key(path, name, doc, Kind.LIST, raw, values, item, List.of(), List.of(), defaultOf(doc, value),
                    unset(doc, value, null), env, null);
        }
        if (Map.class.isAssignableFrom(raw)) {
            Key item = walk(declaring, path + ".<" + doc.key() + ">", null, doc, argument(type, 1), null, false);
            return new Key(path, name, doc, Kind.MAP, raw, values, item, List.of(), List.of(), defaultOf(doc, value),
                    unset(doc, value, null), null, null);
        }
        ConfigLoader.Secret secret = ConfigLoader.SECRETS.stream().filter(s -> s.path().equals(path)).findFirst().orElse(null);
        return new Key(path, name, doc, Kind.SCALAR, raw, values, null, List.of(), List.of(),
                secret == null ? defaultOf(doc, value) : null, unset(doc, value, secret), envReachable ? env(path) : null, secret);
    }

    private static Key object(String path, String name, Doc doc, Class<?> type, Object value, boolean envReachable) {
        Object instance = value != null ? value : probe(type);
        List<Key> fields = new ArrayList<>();
        for (RecordComponent rc : type.getRecordComponents()) {
            Doc d = rc.getAnnotation(Doc.class);
            if (d == null) {
                throw new IllegalStateException(type.getName() + "." + rc.getName() + " has no @Doc: describe the key for its users");
            }
            String key = yamlName(rc);
            fields.add(walk(type, path.isEmpty() ? key : path + "." + key, key, d, rc.getGenericType(), read(rc, instance), envReachable));
        }
        List<String> textForms = List.of();
        Method creator = textCreator(type);
        JsonNode defaultValue = null;
        if (creator != null) {
            textForms = allowed(type, creator.getAnnotation(Doc.class), String.class);
            for (String form : textForms) {
                if (value != null && value.equals(invoke(creator, null, form))) {
                    defaultValue = YAML.getNodeFactory().textNode(form);
                }
            }
        }
        return new Key(path, name, doc, Kind.OBJECT, type, List.of(), null, List.copyOf(fields), textForms, defaultValue,
                name != null && unset(doc, value, null), null, null);
    }

    /**
     * An instance of a record that has no default one: its required keys from their examples (a required record
     * from its own), bound as the loader binds, so the constructor gives every other key its default.
     */
    private static Object probe(Class<?> type) {
        try {
            return YAML.treeToValue(requiredOnly(type), type);
        } catch (IOException e) {
            throw new IllegalStateException(type.getName() + ": the examples of its required keys do not bind: " + e.getMessage(), e);
        }
    }

    private static ObjectNode requiredOnly(Class<?> type) {
        ObjectNode node = YAML.createObjectNode();
        for (RecordComponent rc : type.getRecordComponents()) {
            Doc d = rc.getAnnotation(Doc.class);
            if (d == null || !d.required()) {
                continue;
            }
            if (rc.getType().isRecord()) {
                node.set(yamlName(rc), requiredOnly(rc.getType()));
            } else if (d.example().isEmpty()) {
                throw new IllegalStateException(type.getName() + "." + rc.getName() + " is required: give it an example");
            } else {
                node.set(yamlName(rc), example(d));
            }
        }
        return node;
    }

    /** The key's example, parsed as YAML. */
    static JsonNode example(Doc d) {
        try {
            return YAML.readTree(d.example());
        } catch (IOException e) {
            throw new IllegalStateException("example '" + d.example() + "' is not YAML: " + e.getMessage(), e);
        }
    }

    private static boolean unset(Doc doc, Object value, ConfigLoader.Secret secret) {
        return !doc.required() && (value == null || !doc.computedDefault().isEmpty() || secret != null);
    }

    private static JsonNode defaultOf(Doc doc, Object value) {
        if (doc.required() || !doc.computedDefault().isEmpty() || value == null) {
            return null;
        }
        return YAML.valueToTree(value);
    }

    /** The accepted values: an enum's (as written in YAML), else the lists named by {@link Doc#values()}. */
    private static List<String> allowed(Class<?> declaring, Doc doc, Class<?> raw) {
        if (raw.isEnum()) {
            return Arrays.stream(raw.getEnumConstants()).map(ConfigKeys::wire).toList();
        }
        List<String> out = new ArrayList<>();
        if (doc != null) {
            for (String field : doc.values()) {
                out.addAll(constant(declaring, field));
            }
        }
        return List.copyOf(out);
    }

    private static String wire(Object constant) {
        for (Method m : constant.getClass().getMethods()) {
            if (m.isAnnotationPresent(JsonValue.class)) {
                return String.valueOf(invoke(m, constant));
            }
        }
        return ((Enum<?>) constant).name();
    }

    /** A static {@code List<String>} of the record declaring {@code doc}'s key, or of a record enclosing it. */
    @SuppressWarnings("unchecked")
    private static List<String> constant(Class<?> declaring, String field) {
        for (Class<?> k = declaring; k != null; k = k.getEnclosingClass()) {
            try {
                Field f = k.getDeclaredField(field);
                if (Modifier.isStatic(f.getModifiers()) && List.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    return (List<String>) f.get(null);
                }
            } catch (NoSuchFieldException e) {
                // look in the enclosing record
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("@Doc(values = \"" + field + "\") names no static List<String> field of " + declaring.getName());
    }

    private static Method textCreator(Class<?> type) {
        for (Method m : type.getDeclaredMethods()) {
            JsonCreator c = m.getAnnotation(JsonCreator.class);
            if (c != null && c.mode() == JsonCreator.Mode.DELEGATING && Modifier.isStatic(m.getModifiers())
                    && Arrays.equals(m.getParameterTypes(), new Class<?>[] {String.class})) {
                if (!m.isAnnotationPresent(Doc.class)) {
                    throw new IllegalStateException(type.getName() + "." + m.getName() + " reads a plain string: give it a @Doc");
                }
                return m;
            }
        }
        return null;
    }

    /** The YAML key of a component: its name, or what {@link JsonProperty} renames it to. */
    static String yamlName(RecordComponent rc) {
        JsonProperty renamed = rc.getAccessor().getAnnotation(JsonProperty.class);
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
    }

    /**
     * The variable {@link ConfigLoader} maps to {@code path}: HERALD_, then each key's words in capitals joined by
     * {@code _} ({@code server.maxPendingBytes}: {@code HERALD_SERVER_MAX_PENDING_BYTES}).
     */
    static String env(String path) {
        StringBuilder out = new StringBuilder("HERALD");
        for (String key : path.split("\\.")) {
            out.append('_').append(key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT));
        }
        return out.toString();
    }

    private static Object read(RecordComponent rc, Object instance) {
        return invoke(rc.getAccessor(), instance);
    }

    private static Object invoke(Method m, Object target, Object... args) {
        try {
            m.setAccessible(true);
            return m.invoke(target, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(m + ": " + e.getMessage(), e);
        }
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported configuration type " + t);
    }

    private static Type argument(Type t, int i) {
        if (t instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[i];
        }
        throw new IllegalStateException("a list or map without its type arguments: " + t);
    }

    /** The key at {@code path} under {@code root}, if there is one. */
    public static Optional<Key> find(Key root, String path) {
        List<Key> found = new ArrayList<>();
        root.forEach(k -> {
            if (Objects.equals(k.path(), path)) {
                found.add(k);
            }
        });
        return found.stream().findFirst();
    }
}
