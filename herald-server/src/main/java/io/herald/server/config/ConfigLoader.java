package io.herald.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds a {@link HeraldConfig} from an optional YAML file and the environment: {@code ${VAR}} and
 * {@code ${VAR:-default}} are substituted in values, {@code HERALD_SERVER_PORT=9000}-style variables
 * override keys, {@code ACCESS_TOKEN} and {@code JWT_SECRET} supply the secrets, and unknown keys are
 * a start-up error naming their path. Missing secrets are generated (dev mode) and reported so the
 * caller can print them once; {@code JWT_SECRET} is not generated when {@code auth.jwt.jwksUrl} is set.
 */
public final class ConfigLoader {
    /** A reference to the environment in a value: {@code ${VAR}} or {@code ${VAR:-default}}. */
    static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /**
     * A key holding a secret: in a file only as a {@code ${variable}} reference, never as its value. With
     * {@code fromVariable} the loader also reads {@code variable} when nothing else sets the key, and generates a
     * value (dev mode) when it is not set either.
     */
    public record Secret(String path, String variable, boolean fromVariable) {
    }

    /** Every secret key, in the order the configuration reference lists them. */
    public static final List<Secret> SECRETS = List.of(
            new Secret("server.accessToken", "ACCESS_TOKEN", true),
            new Secret("auth.jwt.secret", "JWT_SECRET", true),
            new Secret("storage.password", "HERALD_STORAGE_PASSWORD", false),
            new Secret("cdc.postgres.password", "HERALD_CDC_PASSWORD", false));
    private final Map<String, String> env;
    /** The variables the file names as {@code ${VAR}}: a HERALD_ one among them is a value, not an unknown key. */
    private final java.util.Set<String> referenced = new java.util.HashSet<>();
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * Variables with the {@code HERALD_} prefix that are the launcher's or the logger's, not configuration
     * keys: used where they belong, never an error.
     */
    private static final java.util.Set<String> NOT_KEYS = java.util.Set.of("HERALD_CONFIG", "HERALD_JAVA_OPTS", "HERALD_LOG_LEVEL");

    /**
     * The loaded configuration, which secrets were generated because none was given, and one line for
     * each {@code HERALD_*} variable that names no key (ignored, so a stray variable never stops a start).
     */
    public record Loaded(HeraldConfig config, List<String> generated, List<String> warnings) {
        public boolean devMode() {
            return !generated.isEmpty();
        }
    }

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /** Loads {@code file} (may be null) and applies the environment, then {@code portOverride} if not null. */
    public Loaded load(Path file, Integer portOverride) {
        return load(file == null ? JsonNodeFactory.instance.objectNode() : read(file), portOverride);
    }

    /**
     * Loads {@code root}, the tree a file would hold, built by an embedder (the Spring Boot starter builds it from
     * {@code herald.*} properties), by the same rules as a file: references for secrets, {@code ${VAR}}, {@code HERALD_*},
     * generated secrets, unknown keys. {@code root} is changed on the way.
     */
    public Loaded load(ObjectNode root) {
        return load(root, null);
    }

    private Loaded load(ObjectNode root, Integer portOverride) {
        SECRETS.forEach(s -> requireReference(root, s));
        substitute(root, "");
        List<String> warnings = applyEnvOverrides(root);
        environmentChoosesStorage(root);
        if (portOverride != null) {
            object(root, "server").put("port", portOverride);
        }
        List<String> generated = new ArrayList<>();
        secret(root, "server", "accessToken", "ACCESS_TOKEN", generated);
        // with an identity provider's keys the HMAC secret is optional: generating one would only add a key nobody holds
        if (!object(object(root, "auth"), "jwt").path("jwksUrl").isTextual() || !env.getOrDefault("JWT_SECRET", "").isEmpty()) {
            secret(object(root, "auth"), "jwt", "secret", "JWT_SECRET", generated);
        }
        // the admin page is on by default only where the secrets were made up for a trial run
        ObjectNode admin = object(root, "admin");
        if (!admin.has("enabled") || admin.get("enabled").isNull()) {
            admin.put("enabled", !generated.isEmpty());
        }
        if (!generated.isEmpty()) {
            addExamples(root);
            // a trial run has no load balancer to tell that it is stopping: Ctrl-C stops it at once
            ObjectNode server = object(root, "server");
            if (!server.has("drainDelayMs") || server.get("drainDelayMs").isNull()) {
                server.put("drainDelayMs", 0);
            }
        }
        return new Loaded(bind(root), List.copyOf(generated), warnings);
    }

    /**
     * What the examples at {@code /examples/} use: a presence room for the chat, a Yjs party for the editor, a
     * public channel for the feed and a masked table for the dashboard. Added in dev mode only, and only where the
     * configuration has not taken the name, so a trial run with a config of its own keeps its meaning.
     */
    private static final String EXAMPLES_YAML = """
            rooms:
              bindings:
                - { name: EXAMPLES_CHAT, className: io.herald.room.builtin.PresenceRoom }
                - { name: EXAMPLES_DOC, className: io.herald.room.builtin.YjsRoom }
            channels:
              public: ["examples:*"]
            broadcast:
              tables:
                examples_candidates:
                  fields: [id, name, email, ssn, stage]
                  masking:
                    name:  { type: name,  show: { roles: [owner, recruiter] } }
                    email: { type: email, show: { roles: [owner] } }
                    ssn:   { type: ssn,   show: { roles: [owner] } }
            """;

    private void addExamples(ObjectNode root) {
        ObjectNode examples;
        try {
            examples = (ObjectNode) yaml.readTree(EXAMPLES_YAML);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // a value of the wrong kind is left alone: binding reports it with its path, as without the examples
        if (list(object(root, "rooms"), "bindings") instanceof ArrayNode bindings) {
            addBindings(bindings, examples);
        }
        if (list(object(root, "channels"), "public") instanceof ArrayNode publicChannels) {
            for (JsonNode rule : examples.path("channels").path("public")) {
                boolean present = false;
                for (JsonNode existing : publicChannels) {
                    present |= existing.asText().equals(rule.asText());
                }
                if (!present) {
                    publicChannels.add(rule);
                }
            }
        }
        ObjectNode broadcast = object(root, "broadcast");
        JsonNode tables = broadcast.get("tables");
        if (tables == null || tables.isNull()) {
            tables = broadcast.putObject("tables");
        }
        if (tables instanceof ObjectNode own) {
            examples.path("broadcast").path("tables").fields().forEachRemaining(t -> {
                if (!own.has(t.getKey())) {
                    own.set(t.getKey(), t.getValue());
                }
            });
        }
    }

    /** The list at {@code parent.field}, made empty when absent; any other value as it is. */
    private static JsonNode list(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? parent.putArray(field) : n;
    }

    private static void addBindings(ArrayNode bindings, ObjectNode examples) {
        for (JsonNode b : examples.path("rooms").path("bindings")) {
            String name = b.path("name").asText();
            boolean taken = false;
            for (JsonNode existing : bindings) {
                taken |= existing.path("name").asText().equalsIgnoreCase(name);
            }
            if (!taken) {
                bindings.add(b);
            }
        }
    }

    private ObjectNode read(Path file) {
        try {
            JsonNode n = yaml.readTree(Files.readAllBytes(file));
            if (n == null || n.isMissingNode() || n.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!n.isObject()) {
                throw new ConfigException(file.toString(), "the top level must be a mapping");
            }
            return (ObjectNode) n;
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Secrets may be named in the file only as a reference (${VAR}), never written into it. */
    private static void requireReference(ObjectNode root, Secret secret) {
        JsonNode v = root;
        for (String key : secret.path().split("\\.")) {
            v = v.path(key);
        }
        if (v.isTextual() && !VAR.matcher(v.asText()).find()) {
            throw new ConfigException(secret.path(),
                    "secrets are not written in the config file: use ${" + secret.variable() + "} or set " + secret.variable());
        }
    }

    private HeraldConfig bind(ObjectNode root) {
        try {
            return yaml.treeToValue(root, HeraldConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(path(e), "unknown key");
        } catch (JsonMappingException e) {
            Throwable c = e.getCause();
            if (c instanceof ConfigException ce) {
                throw ce;
            }
            throw new ConfigException(path(e), e.getOriginalMessage().lines().findFirst().orElse("invalid value"));
        } catch (IOException e) {
            throw new ConfigException("config", e.getMessage());
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private void substitute(JsonNode node, String path) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                if (f.getValue().isTextual()) {
                    f.setValue(new TextNode(expand(f.getValue().asText(), p)));
                } else {
                    substitute(f.getValue(), p);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i).isTextual()) {
                    a.set(i, new TextNode(expand(a.get(i).asText(), path + "[" + i + "]")));
                } else {
                    substitute(a.get(i), path + "[" + i + "]");
                }
            }
        }
    }

    private String expand(String value, String path) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            referenced.add(m.group(1));
            String v = env.get(m.group(1));
            if (v == null) {
                v = m.group(2);
            }
            if (v == null) {
                throw new ConfigException(path, "environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * An environment that names one storage replaces the file's other one: {@code HERALD_STORAGE_URL}
     * over a file's {@code storage.path} (a deployment pointing shared nodes at PostgreSQL), and
     * {@code HERALD_STORAGE_PATH} over a file's {@code storage.url}; setting both is still refused.
     */
    private void environmentChoosesStorage(ObjectNode root) {
        if (!(root.get("storage") instanceof ObjectNode storage)) {
            return;
        }
        boolean url = !env.getOrDefault("HERALD_STORAGE_URL", "").isEmpty();
        boolean path = !env.getOrDefault("HERALD_STORAGE_PATH", "").isEmpty();
        if (url && !path) {
            storage.remove("path");
        } else if (path && !url) {
            storage.remove("url");
        }
    }

    private List<String> applyEnvOverrides(ObjectNode root) {
        List<String> warnings = new ArrayList<>();
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith("HERALD_") && !NOT_KEYS.contains(e.getKey()) && !referenced.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String[] tokens = e.getKey().substring("HERALD_".length()).toLowerCase(Locale.ROOT).split("_");
                    if (!override(HeraldConfig.class, root, tokens, 0, e.getValue())) {
                        warnings.add(e.getKey() + " does not name a configuration key; ignored");
                    }
                });
        return List.copyOf(warnings);
    }

    /** Walks the record structure matching one or more tokens per component name (MAX_PENDING_BYTES = maxPendingBytes). */
    private static boolean override(Class<?> type, ObjectNode node, String[] tokens, int from, String value) {
        if (!type.isRecord()) {
            return false;
        }
        for (RecordComponent rc : type.getRecordComponents()) {
            // the YAML key, which @JsonProperty may rename (channels.public is the component publicChannels)
            JsonProperty renamed = rc.getAccessor().getAnnotation(JsonProperty.class);
            String key = renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
            String want = key.toLowerCase(Locale.ROOT);
            StringBuilder joined = new StringBuilder();
            for (int to = from; to < tokens.length; to++) {
                joined.append(tokens[to]);
                if (!joined.toString().equals(want)) {
                    continue;
                }
                boolean last = to == tokens.length - 1;
                if (rc.getType().isRecord() && !last) {
                    return override(rc.getType(), object(node, key), tokens, to + 1, value);
                }
                if (last && !rc.getType().isRecord() && !Map.class.isAssignableFrom(rc.getType())) {
                    if (List.class.isAssignableFrom(rc.getType()) && isStringList(rc.getGenericType())) {
                        ArrayNode a = node.putArray(key);
                        for (String part : value.split(",")) {
                            if (!part.isBlank()) {
                                a.add(part.trim());
                            }
                        }
                    } else {
                        node.put(key, value);
                    }
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isStringList(Type t) {
        return t instanceof ParameterizedType p && p.getActualTypeArguments()[0] == String.class;
    }

    private void secret(ObjectNode parent, String section, String key, String envName, List<String> generated) {
        ObjectNode s = object(parent, section);
        JsonNode current = s.get(key);
        if (current != null && current.isTextual() && !current.asText().isEmpty()) {
            return;
        }
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            s.put(key, fromEnv);
            return;
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        s.put(key, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        generated.add(envName);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return parent.putObject(field);
        }
        if (!n.isObject()) {
            throw new ConfigException(field, "must be a mapping");
        }
        return (ObjectNode) n;
    }
}
