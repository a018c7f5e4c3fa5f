package io.herald.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.herald.config.ConfigException;
import io.herald.config.HeraldConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a {@link HeraldConfig} from an optional YAML file and the environment: {@code ${VAR}} and
 * {@code ${VAR:-default}} are substituted in values, {@code HERALD_SERVER_PORT=9000}-style variables
 * override keys, {@code ACCESS_TOKEN} and {@code JWT_SECRET} supply the secrets, and unknown keys are
 * a start-up error naming their path. Missing secrets are generated (dev mode) and reported so the
 * caller can print them once, and kept in a {@link DevSecrets} file when one is given;
 * {@code JWT_SECRET} is not generated when {@code auth.jwt.jwksUrl} is set.
 *
 * <p>Problems are collected rather than stopping at the first where that is sound: every unknown key, every value
 * of the wrong type (file and environment alike, a file's value included when {@code --port} or a variable
 * overrides it), every missing {@code ${VAR}} and every literal secret; then, when the shape is right, the first
 * rule broken in each top-level section. {@link #check} returns them all; {@link #load} throws a
 * {@link ConfigProblems} carrying them.
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
    /** The top-level keys: a rule's message whose path starts elsewhere is completed from where Jackson was. */
    private static final Set<String> SECTIONS = keys(HeraldConfig.class).keySet();
    /** Keys whose values are never echoed in a message. */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|token|key)(\\[\\d+])?$");

    /**
     * Variables with the {@code HERALD_} prefix that are the launcher's, the logger's or the tests', not
     * configuration keys: used where they belong, never an error nor a warning.
     */
    private static final Set<String> NOT_KEYS = Set.of("HERALD_CONFIG", "HERALD_JAVA_OPTS", "HERALD_LOG_LEVEL", "HERALD_CHROMIUM");
    /** Prefixes of variables that are not keys either: the test suites' switches ({@code HERALD_TEST_REQUIRE_PG}...). */
    private static final List<String> NOT_KEY_PREFIXES = List.of("HERALD_TEST_");

    private final Map<String, String> env;
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private DevSecrets devSecrets;

    /**
     * The loaded configuration, which secrets were generated because none was given, one line for each
     * {@code HERALD_*} variable that names no key (ignored, so a stray variable never stops a start), and where
     * dev mode's secrets are kept (null when none came from a {@link DevSecrets} file).
     */
    public record Loaded(HeraldConfig config, List<String> generated, List<String> warnings, DevSecrets.Use devSecrets) {
        public Loaded(HeraldConfig config, List<String> generated, List<String> warnings) {
            this(config, generated, warnings, null);
        }

        public boolean devMode() {
            return !generated.isEmpty();
        }
    }

    /** One problem: the key's path (or the file's name) and what is wrong there. */
    public record Problem(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    /** What {@link #check} found: every problem (none means the configuration loads) and the warnings. */
    public record Checked(List<Problem> problems, List<String> warnings) {
    }

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Keeps dev mode's generated secrets in {@code store} (or reads them from it only, for a store made with
     * {@link DevSecrets#readFrom}); without one they are random for each load.
     */
    public ConfigLoader devSecrets(DevSecrets store) {
        this.devSecrets = store;
        return this;
    }

    /**
     * Loads {@code file} (may be null) and applies the environment, then {@code portOverride} if not null.
     *
     * @throws ConfigProblems (a {@link ConfigException}) whose message is the first problem, with all of them
     */
    public Loaded load(Path file, Integer portOverride) {
        Attempt a = attempt(file, portOverride);
        if (!a.problems.isEmpty()) {
            throw new ConfigProblems(a.problems);
        }
        return a.loaded;
    }

    /** Every problem {@link #load} would find with these arguments, and its warnings; nothing is started or written. */
    public Checked check(Path file, Integer portOverride) {
        Attempt a = attempt(file, portOverride);
        return new Checked(List.copyOf(a.problems), a.warnings);
    }

    /** One load's state: what it found so far and which keys the environment set. */
    private static final class Attempt {
        final List<Problem> problems = new ArrayList<>();
        final Set<String> referenced = new HashSet<>();
        /** key path → the HERALD_* variable that set it */
        final Map<String, String> fromEnv = new LinkedHashMap<>();
        List<String> warnings = List.of();
        Loaded loaded;

        void add(Problem p) {
            // a rule broken by a value from the environment says which variable to change
            String var = fromEnv.get(p.path());
            problems.add(var == null ? p : new Problem(p.path(), p.message() + " (from " + var + ")"));
        }
    }

    /**
     * Loads {@code root}, the tree a file would hold, built by an embedder (the Spring Boot starter builds it from
     * {@code herald.*} properties), by the same rules as a file: references for secrets, {@code ${VAR}}, {@code HERALD_*},
     * generated secrets, unknown keys. {@code root} is changed on the way.
     *
     * @throws ConfigProblems (a {@link ConfigException}) whose message is the first problem, with all of them
     */
    public Loaded load(ObjectNode root) {
        Attempt a = attempt(new Attempt(), root, null);
        if (!a.problems.isEmpty()) {
            throw new ConfigProblems(a.problems);
        }
        return a.loaded;
    }

    private Attempt attempt(Path file, Integer portOverride) {
        Attempt a = new Attempt();
        ObjectNode root;
        try {
            root = file == null ? JsonNodeFactory.instance.objectNode() : read(file);
        } catch (ConfigException e) {
            a.add(problem(e));
            return a;
        }
        return attempt(a, root, portOverride);
    }

    private Attempt attempt(Attempt a, ObjectNode root, Integer portOverride) {
        SECRETS.forEach(secret -> requireReference(a, root, secret));
        substitute(a, root, "");
        // the file's own values first: a bad one is reported even where --port or a variable replaces it
        walk(a, root, HeraldConfig.class, "");
        int fileProblems = a.problems.size();
        try {
            a.warnings = applyEnvOverrides(a, root, fileProblems > 0);
        } catch (ConfigException e) {
            a.add(problem(e));
            return a;
        }
        List<Problem> envProblems = new ArrayList<>();
        Attempt scratch = new Attempt();
        walk(scratch, root, HeraldConfig.class, "");
        for (Problem p : scratch.problems) {
            if (a.fromEnv.keySet().stream().anyMatch(k -> p.path().equals(k) || p.path().startsWith(k + "["))) {
                envProblems.add(p);
            }
        }
        envProblems.forEach(p -> a.add(new Problem(p.path(), p.message())));
        if (!a.problems.isEmpty()) {
            return a;
        }
        environmentChoosesStorage(root);
        List<String> generated = new ArrayList<>();
        DevSecrets.Use kept;
        List<String> warnings = new ArrayList<>(a.warnings);
        try {
            kept = secrets(root, generated, warnings);
        } catch (ConfigException e) {
            a.add(problem(e));
            return a;
        }
        a.warnings = List.copyOf(warnings);
        // the admin page is on by default only where the secrets were made up for a trial run
        ObjectNode admin = object(root, "admin");
        if (!admin.has("enabled") || admin.get("enabled").isNull()) {
            admin.put("enabled", !generated.isEmpty());
        }
        if (!generated.isEmpty()) {
            addDevBindings(root);
            // a trial run has no load balancer to tell that it is stopping: Ctrl-C stops it at once
            ObjectNode server = object(root, "server");
            if (!server.has("drainDelayMs") || server.get("drainDelayMs").isNull()) {
                server.put("drainDelayMs", 0);
            }
        }
        // each section on its own, before --port: the first rule each one breaks
        for (Map.Entry<String, RecordComponent> section : keys(HeraldConfig.class).entrySet()) {
            JsonNode node = root.get(section.getKey());
            if (node == null || node.isNull()) {
                continue;
            }
            JavaType type = yaml.getTypeFactory().constructType(section.getValue().getGenericType());
            try {
                yaml.readerFor(type).readValue(node);
            } catch (IOException | RuntimeException e) {
                a.add(problem(e, section.getKey()));
            }
        }
        if (!a.problems.isEmpty()) {
            return a;
        }
        if (portOverride != null) {
            object(root, "server").put("port", portOverride);
            a.fromEnv.put("server.port", "--port");
        }
        try {
            a.loaded = new Loaded(yaml.treeToValue(root, HeraldConfig.class), List.copyOf(generated), a.warnings, kept);
        } catch (IOException | RuntimeException e) {
            a.add(problem(e, ""));
        }
        return a;
    }

    /**
     * What dev mode adds so every primitive can be tried at once: what the examples at {@code /examples/} use (a
     * presence room for the chat, a Yjs party for the editor, a public channel for the feed and a masked table for
     * the dashboard), a public relay party {@code lobby} and a public channel family {@code dev:*}. Added in dev
     * mode only, and only where the configuration has not taken the name, so a trial run with a config of its own
     * keeps its meaning.
     */
    private static final String DEV_YAML = """
            rooms:
              bindings:
                - { name: EXAMPLES_CHAT, className: io.herald.room.builtin.PresenceRoom }
                - { name: EXAMPLES_DOC, className: io.herald.room.builtin.YjsRoom }
                - { name: LOBBY, className: io.herald.room.builtin.RelayRoom, access: public }
            channels:
              public: ["examples:*", "dev:*"]
            broadcast:
              tables:
                examples_candidates:
                  fields: [id, name, email, ssn, stage]
                  masking:
                    name:  { type: name,  show: { roles: [owner, recruiter] } }
                    email: { type: email, show: { roles: [owner] } }
                    ssn:   { type: ssn,   show: { roles: [owner] } }
            """;

    private void addDevBindings(ObjectNode root) {
        ObjectNode dev;
        try {
            dev = (ObjectNode) yaml.readTree(DEV_YAML);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        // a value of the wrong kind is left alone: binding reports it with its path, as without the additions
        if (list(object(root, "rooms"), "bindings") instanceof ArrayNode bindings) {
            addBindings(bindings, dev);
        }
        if (list(object(root, "channels"), "public") instanceof ArrayNode publicChannels) {
            for (JsonNode rule : dev.path("channels").path("public")) {
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
            dev.path("broadcast").path("tables").fields().forEachRemaining(t -> {
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

    private static void addBindings(ArrayNode bindings, ObjectNode dev) {
        for (JsonNode b : dev.path("rooms").path("bindings")) {
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
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new ConfigException(file.toString(), "is a directory, not a YAML file");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file.toString(), "not found (working directory " + Path.of("").toAbsolutePath() + ")");
        } catch (AccessDeniedException e) {
            throw new ConfigException(file.toString(), "cannot read: permission denied");
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
        }
        try {
            JsonNode n = yaml.readTree(bytes);
            if (n == null || n.isMissingNode() || n.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!n.isObject()) {
                throw new ConfigException(file.toString(), "the top level must be a mapping of keys (server:, auth:, ...)");
            }
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            String why = e.getOriginalMessage() == null ? "not valid YAML" : e.getOriginalMessage().lines().findFirst().orElse("not valid YAML");
            throw new ConfigException(file.toString(), where + why);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read: " + e.getMessage());
        }
    }

    /** Secrets may be named in the file only as a reference (${VAR}), never written into it. */
    private static void requireReference(Attempt a, ObjectNode root, Secret secret) {
        JsonNode v = root;
        for (String key : secret.path().split("\\.")) {
            v = v.path(key);
        }
        if (v.isTextual() && !VAR.matcher(v.asText()).find()) {
            a.add(new Problem(secret.path(),
                    "secrets are not written in the config file: use ${" + secret.variable() + "} or set " + secret.variable()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The shape check: unknown keys and values of the wrong type, every one of them, with their paths

    /** Checks {@code n} against {@code type} (a record, map, list or scalar), adding a problem for each mismatch. */
    private void walk(Attempt a, JsonNode n, Type type, String path) {
        Class<?> raw = raw(type);
        if (n == null || n.isNull() || n.isMissingNode()) {
            if (raw.isPrimitive()) {
                a.add(new Problem(path, "expected " + expected(raw) + ", was null"));
            }
            return;
        }
        if (raw.isRecord()) {
            if (!n.isObject()) {
                if (hasDelegatingCreator(raw)) {
                    leaf(a, n, type, path);
                } else {
                    a.add(new Problem(path, "expected a mapping, was " + describe(n, path)));
                }
                return;
            }
            Map<String, RecordComponent> components = keys(raw);
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                RecordComponent rc = components.get(f.getKey());
                if (rc == null) {
                    a.add(new Problem(p, "unknown key" + suggestion(f.getKey(), components.keySet())));
                } else {
                    walk(a, f.getValue(), rc.getGenericType(), p);
                }
            }
        } else if (Map.class.isAssignableFrom(raw)) {
            if (!n.isObject()) {
                a.add(new Problem(path, "expected a mapping, was " + describe(n, path)));
                return;
            }
            Type values = argument(type, 1);
            n.fields().forEachRemaining(f -> walk(a, f.getValue(), values, path + "." + f.getKey()));
        } else if (Collection.class.isAssignableFrom(raw)) {
            if (!n.isArray()) {
                a.add(new Problem(path, "expected a list, was " + describe(n, path)));
                return;
            }
            Type elements = argument(type, 0);
            for (int i = 0; i < n.size(); i++) {
                walk(a, n.get(i), elements, path + "[" + i + "]");
            }
        } else {
            leaf(a, n, type, path);
        }
    }

    /** A scalar slot: whatever Jackson's own conversion refuses, said in words. */
    private void leaf(Attempt a, JsonNode n, Type type, String path) {
        Class<?> raw = raw(type);
        if (raw == Object.class || JsonNode.class.isAssignableFrom(raw)) {
            return;
        }
        String expected = expected(raw);
        if (n.isContainerNode() && !raw.isRecord()) {
            a.add(new Problem(path, "expected " + expected + ", was " + describe(n, path)));
            return;
        }
        if (integral(raw)) {
            // Jackson would truncate 80.5 to 80 without a word
            if (n.isNumber() && !n.isIntegralNumber() && n.decimalValue().stripTrailingZeros().scale() > 0) {
                a.add(new Problem(path, "expected " + expected + ", was " + describe(n, path)));
                return;
            }
            BigInteger big = bigInteger(n);
            boolean isInt = raw == Integer.class || raw == int.class;
            BigInteger min = BigInteger.valueOf(isInt ? Integer.MIN_VALUE : Long.MIN_VALUE);
            BigInteger max = BigInteger.valueOf(isInt ? Integer.MAX_VALUE : Long.MAX_VALUE);
            if (big != null && (big.compareTo(min) < 0 || big.compareTo(max) > 0)) {
                a.add(new Problem(path, "expected an integer from " + min + " to " + max + ", was " + describe(n, path)));
                return;
            }
        }
        try {
            yaml.readerFor(yaml.getTypeFactory().constructType(type)).readValue(n);
        } catch (IOException | RuntimeException e) {
            ConfigException rule = cause(e, ConfigException.class);
            if (rule != null) {
                a.add(new Problem(path, after(rule.getMessage())));
            } else {
                a.add(new Problem(path, "expected " + expected + ", was " + describe(n, path)));
            }
        }
    }

    private static BigInteger bigInteger(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue();
        }
        if (n.isNumber()) {
            return n.decimalValue().toBigInteger();
        }
        if (n.isTextual()) {
            try {
                return new BigInteger(n.asText().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static boolean integral(Class<?> c) {
        return c == Integer.class || c == int.class || c == Long.class || c == long.class;
    }

    /** What a slot of type {@code c} takes, for "expected ...". */
    private static String expected(Class<?> c) {
        if (integral(c) || c == Short.class || c == short.class || c == BigInteger.class) {
            return "an integer";
        }
        if (c == Double.class || c == double.class || c == Float.class || c == float.class || c == BigDecimal.class) {
            return "a number";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "true or false";
        }
        if (c.isRecord() || Map.class.isAssignableFrom(c)) {
            return "a mapping";
        }
        if (Collection.class.isAssignableFrom(c)) {
            return "a list";
        }
        return "a string";
    }

    /** A value as a message shows it: strings quoted, containers by kind, a secret's value never. */
    private static String describe(JsonNode n, String path) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isObject()) {
            return "a mapping";
        }
        if (SECRET_KEY.matcher(path).matches()) {
            return n.isTextual() ? "a string" : "a " + n.getNodeType().name().toLowerCase(Locale.ROOT);
        }
        if (n.isTextual()) {
            String s = n.asText();
            return new TextNode(s.length() > 60 ? s.substring(0, 60) + "..." : s).toString();
        }
        return n.asText();
    }

    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = k.equalsIgnoreCase(key) ? 0 : distance(k.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best != null && (bestDistance == 0 || (bestDistance <= 2 && key.length() > 3)) ? " (did you mean " + best + "?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A record's YAML keys (a {@code @JsonProperty} renames one: channels.public is publicChannels) and components. */
    private static Map<String, RecordComponent> keys(Class<?> record) {
        Map<String, RecordComponent> keys = new LinkedHashMap<>();
        for (RecordComponent rc : record.getRecordComponents()) {
            keys.put(key(rc), rc);
        }
        return keys;
    }

    private static String key(RecordComponent rc) {
        JsonProperty renamed = rc.getAccessor().getAnnotation(JsonProperty.class);
        if (renamed == null) {
            try {
                renamed = rc.getDeclaringRecord().getDeclaredField(rc.getName()).getAnnotation(JsonProperty.class);
            } catch (NoSuchFieldException e) {
                renamed = null;
            }
        }
        return renamed != null && !renamed.value().isEmpty() ? renamed.value() : rc.getName();
    }

    /** Whether a record also takes a plain value ({@code access: public}). */
    private static boolean hasDelegatingCreator(Class<?> c) {
        for (Method m : c.getDeclaredMethods()) {
            JsonCreator creator = m.getAnnotation(JsonCreator.class);
            if (creator != null && Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 1) {
                return true;
            }
        }
        return false;
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return Object.class;
    }

    private static Type argument(Type t, int index) {
        if (t instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            return p.getActualTypeArguments()[index];
        }
        return Object.class;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Messages of the rules the records enforce, with full paths and without Jackson's words

    /** A problem from an exception thrown while binding at {@code prefix} (a section key, or "" for the whole). */
    private static Problem problem(Exception e, String prefix) {
        List<String> at = new ArrayList<>();
        if (!prefix.isEmpty()) {
            at.add(prefix);
        }
        if (e instanceof JsonMappingException jme) {
            for (JsonMappingException.Reference r : jme.getPath()) {
                if (r.getFieldName() != null) {
                    at.add(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    if (at.isEmpty()) {
                        at.add("[" + r.getIndex() + "]");
                    } else {
                        at.set(at.size() - 1, at.get(at.size() - 1) + "[" + r.getIndex() + "]");
                    }
                }
            }
        }
        String where = at.isEmpty() ? "config" : String.join(".", at);
        ConfigException rule = cause(e, ConfigException.class);
        if (rule != null) {
            return qualified(rule, at);
        }
        if (e instanceof UnrecognizedPropertyException) {
            return new Problem(where, "unknown key");
        }
        if (e instanceof InvalidFormatException ife) {
            Object v = ife.getValue();
            JsonNode shown = v instanceof String s ? new TextNode(s) : v instanceof Number || v instanceof Boolean
                    ? new TextNode(String.valueOf(v)) : NullNode.getInstance();
            return new Problem(where, "expected " + expected(ife.getTargetType()) + ", was "
                    + (v instanceof String ? describe(shown, where) : shown.isNull() ? "another kind of value" : shown.asText()));
        }
        if (e instanceof MismatchedInputException mie && mie.getTargetType() != null) {
            return new Problem(where, "expected " + expected(mie.getTargetType()));
        }
        return new Problem(where, "invalid value");
    }

    /** A problem from a rule a record enforced where no Jackson position is known. */
    private static Problem problem(ConfigException e) {
        return qualified(e, List.of());
    }

    /**
     * The rule's message with its full path: records name most paths in full ({@code server.port}), some only
     * relative to where they sit ({@code masking.type}, {@code access}) or with a {@code *} for a map key
     * ({@code datasources.*.url}); those are completed from Jackson's position {@code at}.
     */
    private static Problem qualified(ConfigException rule, List<String> at) {
        String m = rule.getMessage();
        int colon = m.indexOf(": ");
        if (colon < 0) {
            return new Problem(at.isEmpty() ? "config" : String.join(".", at), m);
        }
        String path = m.substring(0, colon);
        String what = m.substring(colon + 2);
        if (at.isEmpty()) {
            return new Problem(path, what);
        }
        String[] segments = path.split("\\.");
        if (path.contains("*")) {
            for (int i = 0; i < segments.length && i < at.size(); i++) {
                if (segments[i].equals("*")) {
                    segments[i] = at.get(i);
                }
            }
            return new Problem(String.join(".", segments), what);
        }
        String first = segments[0].replaceAll("\\[\\d+]$", "");
        if (SECTIONS.contains(first) || path.contains("/") || path.contains(" ")) {
            return new Problem(path, what);
        }
        String jackson = String.join(".", at);
        String last = at.get(at.size() - 1).replaceAll("\\[\\d+]$", "");
        return new Problem(last.equals(segments[segments.length - 1]) ? jackson : jackson + "." + path, what);
    }

    private static String after(String message) {
        int colon = message.indexOf(": ");
        return colon < 0 ? message : message.substring(colon + 2);
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------
    // ${VAR} substitution and HERALD_* overrides

    private void substitute(Attempt a, JsonNode node, String path) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                String p = path.isEmpty() ? f.getKey() : path + "." + f.getKey();
                if (f.getValue().isTextual()) {
                    f.setValue(expand(a, f.getValue().asText(), p));
                } else {
                    substitute(a, f.getValue(), p);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) {
                if (arr.get(i).isTextual()) {
                    arr.set(i, expand(a, arr.get(i).asText(), path + "[" + i + "]"));
                } else {
                    substitute(a, arr.get(i), path + "[" + i + "]");
                }
            }
        }
    }

    /** The value with its references replaced; null (and a problem per missing variable) when one is not set. */
    private JsonNode expand(Attempt a, String value, String path) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        boolean missing = false;
        while (m.find()) {
            a.referenced.add(m.group(1));
            String v = env.get(m.group(1));
            if (v == null) {
                v = m.group(2);
            }
            if (v == null) {
                a.add(new Problem(path, "environment variable " + m.group(1) + " is not set"));
                missing = true;
                v = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return missing ? NullNode.getInstance() : new TextNode(out.toString());
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

    /** Whether {@code name} is a variable of the launcher, the logger or the tests rather than a key. */
    public static boolean notAKey(String name) {
        return NOT_KEYS.contains(name) || NOT_KEY_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private List<String> applyEnvOverrides(Attempt a, ObjectNode root, boolean misshapen) {
        List<String> warnings = new ArrayList<>();
        env.entrySet().stream()
                .filter(e -> e.getKey().startsWith("HERALD_") && !notAKey(e.getKey()) && !a.referenced.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    String[] tokens = e.getKey().substring("HERALD_".length()).toLowerCase(Locale.ROOT).split("_");
                    try {
                        String path = override(HeraldConfig.class, root, "", tokens, 0, e.getValue());
                        if (path == null) {
                            warnings.add(e.getKey() + " does not name a configuration key; ignored");
                        } else {
                            a.fromEnv.put(path, e.getKey());
                        }
                    } catch (ConfigException notAMapping) {
                        // where the file has a value that is no mapping the variable cannot go: the shape check said so
                        if (!misshapen) {
                            throw notAMapping;
                        }
                    }
                });
        return List.copyOf(warnings);
    }

    /**
     * Walks the record structure matching one or more tokens per component name (MAX_PENDING_BYTES = maxPendingBytes)
     * and sets the value there; returns the key's path, or null when the tokens name no key.
     */
    private static String override(Class<?> type, ObjectNode node, String path, String[] tokens, int from, String value) {
        if (!type.isRecord()) {
            return null;
        }
        for (RecordComponent rc : type.getRecordComponents()) {
            // the YAML key, which @JsonProperty may rename (channels.public is the component publicChannels)
            String key = key(rc);
            String want = key.toLowerCase(Locale.ROOT);
            String p = path.isEmpty() ? key : path + "." + key;
            StringBuilder joined = new StringBuilder();
            for (int to = from; to < tokens.length; to++) {
                joined.append(tokens[to]);
                if (!joined.toString().equals(want)) {
                    continue;
                }
                boolean last = to == tokens.length - 1;
                if (rc.getType().isRecord() && !last) {
                    return override(rc.getType(), object(node, key, p), p, tokens, to + 1, value);
                }
                if (last && !rc.getType().isRecord() && !Map.class.isAssignableFrom(rc.getType())) {
                    if (List.class.isAssignableFrom(rc.getType()) && isStringList(rc.getGenericType())) {
                        ArrayNode arr = node.putArray(key);
                        for (String part : value.split(",")) {
                            if (!part.isBlank()) {
                                arr.add(part.trim());
                            }
                        }
                    } else {
                        node.put(key, value);
                    }
                    return p;
                }
            }
        }
        return null;
    }

    private static boolean isStringList(Type t) {
        return t instanceof ParameterizedType p && p.getActualTypeArguments()[0] == String.class;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Secrets

    /**
     * Puts ACCESS_TOKEN and JWT_SECRET where the configuration has none: from the environment, else from the dev
     * secrets file, else new random ones (kept in that file when it is written). Returns what the file gave.
     */
    private DevSecrets.Use secrets(ObjectNode root, List<String> generated, List<String> warnings) {
        Map<String, ObjectNode> missing = new LinkedHashMap<>();
        Map<String, String> keys = new LinkedHashMap<>();
        ObjectNode server = object(root, "server");
        if (needs(server, "accessToken", "ACCESS_TOKEN")) {
            missing.put("ACCESS_TOKEN", server);
            keys.put("ACCESS_TOKEN", "accessToken");
        }
        ObjectNode jwt = object(object(root, "auth"), "jwt", "auth.jwt");
        // with an identity provider's keys the HMAC secret is optional: generating one would only add a key nobody holds
        if ((!jwt.path("jwksUrl").isTextual() || !env.getOrDefault("JWT_SECRET", "").isEmpty()) && needs(jwt, "secret", "JWT_SECRET")) {
            missing.put("JWT_SECRET", jwt);
            keys.put("JWT_SECRET", "secret");
        }
        if (missing.isEmpty()) {
            return null;
        }
        Map<String, String> stored = new LinkedHashMap<>();
        if (devSecrets != null) {
            try {
                stored.putAll(devSecrets.read());
            } catch (ConfigException e) {
                warnings.add(e.getMessage() + "; using new secrets for this run only");
            }
        }
        List<String> kept = new ArrayList<>();
        Map<String, String> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, ObjectNode> m : missing.entrySet()) {
            String name = m.getKey();
            String value = stored.get(name);
            if (value == null) {
                value = random();
                fresh.put(name, value);
            } else {
                kept.add(name);
            }
            m.getValue().put(keys.get(name), value);
            generated.add(name);
        }
        boolean written = false;
        if (devSecrets != null && devSecrets.writes() && !fresh.isEmpty()) {
            Map<String, String> all = new LinkedHashMap<>(stored);
            all.putAll(fresh);
            try {
                devSecrets.write(all);
                kept.addAll(fresh.keySet());
                written = true;
            } catch (ConfigException e) {
                warnings.add(e.getMessage() + "; the new secrets last for this run only");
            }
        }
        return kept.isEmpty() ? null : new DevSecrets.Use(devSecrets.file(), List.copyOf(kept), written);
    }

    /** Whether the secret at {@code parent.key} is neither in the configuration nor in the environment (set it then). */
    private boolean needs(ObjectNode parent, String key, String envName) {
        JsonNode current = parent.get(key);
        if (current != null && current.isTextual() && !current.asText().isEmpty()) {
            return false;
        }
        String fromEnv = env.get(envName);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            parent.put(key, fromEnv);
            return false;
        }
        return true;
    }

    private static String random() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        return object(parent, field, field);
    }

    private static ObjectNode object(ObjectNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return parent.putObject(field);
        }
        if (!n.isObject()) {
            throw new ConfigException(path, "expected a mapping, was " + describe(n, path));
        }
        return (ObjectNode) n;
    }
}
