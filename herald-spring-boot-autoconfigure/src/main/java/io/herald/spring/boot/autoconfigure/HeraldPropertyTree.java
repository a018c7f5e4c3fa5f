package io.herald.spring.boot.autoconfigure;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import io.herald.server.config.ConfigLoader;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Turns the {@code herald.*} properties of a Spring {@link ConfigurableEnvironment} into the tree a
 * {@code herald.yaml} would hold, and hands it to Herald's {@link ConfigLoader}: the keys, defaults, checks and
 * error messages are the file's. Spring's side of the work:
 * <ul>
 * <li>relaxed names: {@code max-connections}, {@code maxConnections} and {@code maxconnections} all name the record
 *     component {@code maxConnections}; map keys ({@code broadcast.tables.<table>}, {@code masking.<field>}) are kept
 *     as written ({@code [public.orders]} keeps its dot); a name that matches nothing is passed on as written, and
 *     the loader stops the start naming it;</li>
 * <li>property sources in Spring's order, the first one that has a key wins, and a list comes whole from the first
 *     source that has any of its elements;</li>
 * <li>placeholders resolved by Spring ({@code ${NAME}}, {@code ${NAME:default}});
 *     herald.yaml's {@code ${NAME:-default}} is refused with a hint, as Spring would read it as a default of
 *     {@code -default};</li>
 * <li>{@code a,b} for a list of strings, and an empty value for an empty list or mapping, as Spring binds them
 *     (Spring's YAML loader drops an empty mapping {@code {}} altogether, and reads {@code []} as an empty value:
 *     a table with every default is written {@code agenda_items: ""});</li>
 * <li>the operating-system environment is left to the loader: {@code HERALD_*} variables, {@code ACCESS_TOKEN} and
 *     {@code JWT_SECRET} work exactly as for the standalone server (so a {@code HERALD_*} variable that names no key
 *     is a warning, not an unknown {@code herald.*} key);</li>
 * <li>JVM system properties are ambient too (a build's {@code -Dherald.examples.skip} reaches the JVMs it forks):
 *     a {@code herald.*} system property that names no key is a warning and ignored, like such a variable; one that
 *     does is a key like any other;</li>
 * <li>secrets ({@code server.accessToken}, {@code auth.jwt.secret}, {@code storage.password},
 *     {@code cdc.postgres.password}): written literally in an application properties or YAML file they are refused,
 *     as the loader refuses them in herald.yaml; a placeholder there, or a value from any other source (system
 *     properties, the command line, a secrets manager's property source), is handed to the loader as the variable
 *     it reads ({@code ACCESS_TOKEN}, ...), never logged.</li>
 * </ul>
 */
final class HeraldPropertyTree {
    static final String PREFIX = "herald";
    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);
    /** The keys directly under {@code herald} that the starter reads itself (uniform form). */
    private static final java.util.Set<String> STARTER_KEYS = java.util.Set.of("enabled");
    /** The secrets the loader requires as references, by path, with the variable it reads each from. */
    static final Map<String, String> SECRETS = Map.of(
            "server.accessToken", "ACCESS_TOKEN",
            "auth.jwt.secret", "JWT_SECRET",
            "storage.password", "HERALD_STORAGE_PASSWORD",
            "cdc.postgres.password", "HERALD_CDC_PASSWORD");
    private static final Pattern HERALD_DEFAULT = Pattern.compile("\\$\\{[A-Za-z_][A-Za-z0-9_]*:-");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ConfigurableEnvironment environment;
    private final ObjectNode root = NODES.objectNode();
    /** The variables the loader sees: the process environment, plus the secrets given as Spring properties. */
    private final Map<String, String> variables;
    /** Which property source (by position) started each list, so a lower one adds nothing to it. */
    private final Map<JsonNode, Integer> listSource = new IdentityHashMap<>();
    /** One line per system property that names no key. */
    private final List<String> warnings = new ArrayList<>();

    private HeraldPropertyTree(ConfigurableEnvironment environment) {
        this.environment = environment;
        this.variables = new HashMap<>(processEnvironment(environment));
    }

    /** Loads the configuration of {@code environment}'s {@code herald.*} properties and the process environment. */
    static ConfigLoader.Loaded load(ConfigurableEnvironment environment) {
        HeraldPropertyTree tree = new HeraldPropertyTree(environment);
        tree.collect();
        ConfigLoader.Loaded loaded = new ConfigLoader(tree.variables).load(tree.root);
        if (tree.warnings.isEmpty()) {
            return loaded;
        }
        List<String> warnings = new ArrayList<>(tree.warnings);
        warnings.addAll(loaded.warnings());
        return new ConfigLoader.Loaded(loaded.config(), loaded.generated(), List.copyOf(warnings));
    }

    /** The tree alone (tests), before the loader has added defaults and secrets. */
    static ObjectNode tree(ConfigurableEnvironment environment) {
        HeraldPropertyTree tree = new HeraldPropertyTree(environment);
        tree.collect();
        return tree.root;
    }

    /**
     * The environment variables: the {@code systemEnvironment} property source's (which a test may replace), else the
     * process's.
     */
    private static Map<String, String> processEnvironment(ConfigurableEnvironment environment) {
        PropertySource<?> source = environment.getPropertySources().get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        if (source == null || !(source.getSource() instanceof Map<?, ?> map)) {
            return System.getenv();
        }
        Map<String, String> out = new HashMap<>();
        map.forEach((k, v) -> {
            if (k != null && v != null) {
                out.put(k.toString(), v.toString());
            }
        });
        return out;
    }

    private void collect() {
        int position = 0;
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            position++;
            // HERALD_*, ACCESS_TOKEN and JWT_SECRET are the loader's, read from the variables above
            if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource
                    || !(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            int from = position;
            boolean ambient = source.getUnderlyingSource() instanceof PropertySource<?> ps
                    && StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(ps.getName());
            List<ConfigurationPropertyName> names = iterable.filter(ROOT::isAncestorOf).stream().toList();
            for (ConfigurationPropertyName name : names) {
                if (name.getNumberOfElements() == 2 && STARTER_KEYS.contains(uniform(name.getElement(1, ConfigurationPropertyName.Form.ORIGINAL)))) {
                    continue;
                }
                if (ambient && !namesKey(name)) {
                    warnings.add("system property " + name + " does not name a configuration key; ignored");
                    continue;
                }
                ConfigurationProperty property = source.getConfigurationProperty(name);
                if (property != null && property.getValue() != null) {
                    put(name, property, from);
                }
            }
        }
    }

    /** Puts one property into the tree, unless a source before this one already gave its key (or its list). */
    private void put(ConfigurationPropertyName name, ConfigurationProperty property, int source) {
        JsonNode container = root;
        Type type = HeraldConfig.class;
        StringBuilder path = new StringBuilder();
        int last = name.getNumberOfElements() - 1;
        for (int i = 1; i <= last; i++) {
            String element = name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL);
            boolean leaf = i == last;
            boolean childIsList = !leaf && name.isNumericIndex(i + 1);
            JsonNode next;
            Type childType;
            if (container instanceof ArrayNode list) {
                int index = Integer.parseInt(element);
                childType = typeArgument(type, 0);
                path.append('[').append(index).append(']');
                while (list.size() <= index) {
                    list.add(NullNode.instance);
                }
                if (leaf) {
                    if (list.get(index).isNull()) {
                        list.set(index, leafValue(property, childType, path.toString(), source));
                    }
                    return;
                }
                next = list.get(index);
                if (next.isNull()) {
                    next = childIsList ? NODES.arrayNode() : NODES.objectNode();
                    list.set(index, next);
                }
            } else {
                ObjectNode object = (ObjectNode) container;
                Child child = child(type, element);
                childType = child.type();
                path.append(path.isEmpty() ? "" : ".").append(child.key());
                if (leaf) {
                    if (!object.has(child.key())) {
                        object.set(child.key(), leafValue(property, childType, path.toString(), source));
                    }
                    return;
                }
                next = object.get(child.key());
                if (next == null) {
                    next = childIsList ? object.putArray(child.key()) : object.putObject(child.key());
                    if (childIsList) {
                        listSource.put(next, source);
                    }
                }
            }
            if (childIsList ? !(next instanceof ArrayNode) : !(next instanceof ObjectNode)) {
                // a source before this one gave this key another shape (a scalar, a list): it wins
                return;
            }
            if (childIsList && listSource.getOrDefault(next, source) != source) {
                // Spring takes a list whole from the first source that has it
                return;
            }
            container = next;
            type = childType;
        }
    }

    private record Child(String key, Type type) {
    }

    /** {@link #value}, noting the source of a list written as one value ({@code a,b}) so no lower source adds to it. */
    private JsonNode leafValue(ConfigurationProperty property, Type type, String path, int source) {
        JsonNode v = value(property, type, path);
        if (v instanceof ArrayNode) {
            listSource.put(v, source);
        }
        return v;
    }

    /** Whether every element of {@code name} below {@code herald} names a record component, a map key or a list index. */
    private static boolean namesKey(ConfigurationPropertyName name) {
        Type type = HeraldConfig.class;
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            Class<?> raw = raw(type);
            if (raw == null) {
                return false;
            }
            if (List.class.isAssignableFrom(raw)) {
                if (!name.isNumericIndex(i)) {
                    return false;
                }
                type = typeArgument(type, 0);
                continue;
            }
            if (!raw.isRecord() && !Map.class.isAssignableFrom(raw)) {
                return false;
            }
            Child child = child(type, name.getElement(i, ConfigurationPropertyName.Form.ORIGINAL));
            if (child.type() == null) {
                return false;
            }
            type = child.type();
        }
        return true;
    }

    /**
     * The key under {@code type} for a property name element: a record component's YAML key matched in relaxed form,
     * a map key as written, or (no match) the element as written, which the loader reports as an unknown key.
     */
    private static Child child(Type type, String element) {
        Class<?> raw = raw(type);
        if (raw != null && raw.isRecord()) {
            String wanted = uniform(element);
            for (RecordComponent rc : raw.getRecordComponents()) {
                JsonProperty renamed = rc.getAccessor().getAnnotation(JsonProperty.class);
                String key = renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
                if (uniform(key).equals(wanted)) {
                    return new Child(key, rc.getGenericType());
                }
            }
            return new Child(element, null);
        }
        if (raw != null && Map.class.isAssignableFrom(raw)) {
            return new Child(element, typeArgument(type, 1));
        }
        return new Child(element, null);
    }

    /** The JSON value of {@code property} for a key of {@code type} at {@code path} (herald.yaml's path). */
    private JsonNode value(ConfigurationProperty property, Type type, String path) {
        Object raw = property.getValue();
        if (raw instanceof OriginTrackedValue tracked) {
            raw = tracked.getValue();
        }
        if (raw instanceof CharSequence chars) {
            String text = chars.toString();
            String secret = SECRETS.get(path);
            if (secret != null) {
                return secretReference(property, text, path, secret);
            }
            return text(resolve(text, path), type);
        }
        if (raw instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (raw instanceof Integer || raw instanceof Short || raw instanceof Byte) {
            return NODES.numberNode(((Number) raw).intValue());
        }
        if (raw instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (raw instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (raw instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (raw instanceof Double || raw instanceof Float) {
            return NODES.numberNode(((Number) raw).doubleValue());
        }
        String text = raw.toString();
        return SECRETS.containsKey(path) ? secretReference(property, text, path, SECRETS.get(path)) : text(text, type);
    }

    /**
     * A secret goes to the loader as the variable it reads ({@code ${ACCESS_TOKEN}} in the tree, the value in the
     * variables), so the loader's rules apply unchanged. Refused when written literally in a file.
     */
    private JsonNode secretReference(ConfigurationProperty property, String text, String path, String variable) {
        if (fromFile(property.getOrigin()) && !text.contains("${")) {
            throw new ConfigException(path, "secrets are not written in application properties or YAML files: use a placeholder"
                    + " such as ${" + variable + "}, or set " + variable + " in the environment");
        }
        variables.put(variable, resolve(text, path));
        return NODES.textNode("${" + variable + "}");
    }

    /** Whether the value was read from a file: its origin (or the one a property source's origin wraps) is a text resource. */
    private static boolean fromFile(Origin origin) {
        for (Origin o = origin; o != null; o = o instanceof PropertySourceOrigin p && p.getOrigin() != null ? p.getOrigin() : o.getParent()) {
            if (o instanceof TextResourceOrigin) {
                return true;
            }
        }
        return false;
    }

    private String resolve(String text, String path) {
        if (HERALD_DEFAULT.matcher(text).find()) {
            throw new ConfigException(path, "Spring resolves placeholders here: write ${NAME:default}, not herald.yaml's ${NAME:-default}");
        }
        try {
            return environment.resolveRequiredPlaceholders(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage());
        }
    }

    /** Text for a key of {@code type}: a comma-separated list for a list, empty for an empty list or mapping. */
    private static JsonNode text(String text, Type type) {
        Class<?> raw = raw(type);
        if (raw != null && List.class.isAssignableFrom(raw)) {
            ArrayNode list = NODES.arrayNode();
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    list.add(part.trim());
                }
            }
            return list;
        }
        if (text.isEmpty() && raw != null && (raw.isRecord() || Map.class.isAssignableFrom(raw))) {
            return NODES.objectNode();
        }
        return NODES.textNode(text);
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    private static Type typeArgument(Type type, int index) {
        return type instanceof ParameterizedType p && p.getActualTypeArguments().length > index ? p.getActualTypeArguments()[index] : null;
    }

    /** A name in relaxed form: lower case, without dashes or underscores. */
    private static String uniform(String name) {
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }
}
