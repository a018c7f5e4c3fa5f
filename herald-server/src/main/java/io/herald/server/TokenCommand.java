package io.herald.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.herald.auth.JwtSigner;
import io.herald.config.AuthConfig;
import io.herald.config.ConfigException;
import io.herald.server.config.ConfigLoader;
import io.herald.server.config.DevSecrets;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code herald token}: prints an HS256 session JWT for a user, signed with {@code JWT_SECRET} from the environment
 * (or the configuration's reference to it), else with dev mode's secret kept in {@code ./data/dev-secrets}. The
 * claims go where the configuration reads them ({@code auth.jwt.claims}), with its {@code iss} and {@code aud}.
 */
@Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print a session JWT (HS256) for trying Herald out. It is signed with JWT_SECRET",
            "from the environment, else with the secret dev mode keeps in ./data/dev-secrets."},
        footer = {"", "Examples:",
            "  herald token --user u1 --org org_1 --roles owner,recruiter",
            "  herald token --user u2 --orgs '{\"org_1\":[\"viewer\"],\"org_2\":[\"owner\"]}'",
            "  herald token --user u3 --name 'Ada L.' --claim plan=pro --ttl 15m",
            "  herald token --user u4 --ttl=-1m          (expired a minute ago)"})
final class TokenCommand implements Callable<Integer> {
    private static final Pattern TTL = Pattern.compile("(-?\\d+)([smhd]?)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--user", required = true, paramLabel = "ID", description = "The user id (the sub claim).")
    String user;

    @Option(names = "--org", paramLabel = "ORG", description = "One organization the user is a member of.")
    String org;

    @Option(names = "--roles", paramLabel = "ROLES", split = ",", description = "The user's roles in --org, comma-separated.")
    List<String> roles;

    @Option(names = "--orgs", paramLabel = "JSON", description = "All organizations and roles: '{\"org_1\":[\"owner\"]}' (not with --org).")
    String orgs;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h",
            description = "How long the token is valid: 90s, 15m, 1h, 7d or seconds (default ${DEFAULT-VALUE}); negative for an expired one.")
    String ttl;

    @Option(names = "--name", paramLabel = "NAME", description = "The display name (the name claim).")
    String name;

    @Option(names = "--claim", paramLabel = "KEY=VALUE",
            description = "Another claim; repeatable. A JSON value (42, true, [\"a\"]) is kept as JSON, anything else is a string.")
    List<String> claims = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "The configuration whose auth.jwt settings apply (default: $HERALD_CONFIG).")
    Path config;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, List<String>> memberships;
        Duration validFor;
        try {
            memberships = memberships();
            validFor = duration(ttl);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ConfigLoader.Loaded loaded;
        try {
            loaded = new ConfigLoader(main.env()).devSecrets(DevSecrets.readFrom(main.devSecretsFile())).load(main.configFile(config), null);
        } catch (ConfigException e) {
            err.println("herald: configuration error: " + e.getMessage());
            err.flush();
            return StartFailure.CONFIG;
        }
        loaded.warnings().forEach(w -> err.println("herald: warning: " + w));
        AuthConfig.Jwt jwt = loaded.config().auth().jwt();
        boolean fromDevFile = loaded.devSecrets() != null && loaded.devSecrets().kept().contains("JWT_SECRET");
        if (jwt.secret() == null || (loaded.generated().contains("JWT_SECRET") && !fromDevFile)) {
            err.println("herald: no secret to sign with: set JWT_SECRET (what the server verifies with), or run `herald serve` in dev mode once"
                    + " in this directory so that it keeps one in " + main.devSecretsFile().toAbsolutePath().normalize());
            err.flush();
            return 1;
        }
        if (!jwt.allowedAlgorithms().contains("HS256")) {
            err.println("herald: warning: auth.jwt.algorithms " + jwt.allowedAlgorithms() + " leaves out HS256: the server will refuse this token");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        AuthConfig.Claims where = jwt.claims();
        // the default location userId falls back to sub, which is what identity providers use
        put(body, where.userId().equals(AuthConfig.Claims.DEFAULT_USER_ID) ? "sub" : where.userId(), user);
        if (!memberships.isEmpty()) {
            put(body, where.orgs(), memberships);
        }
        if (name != null) {
            put(body, where.name(), name);
        }
        if (jwt.issuer() != null) {
            body.put("iss", jwt.issuer());
        }
        if (jwt.audience() != null) {
            body.put("aud", jwt.audience());
        }
        Instant now = Instant.now();
        body.put("iat", now.getEpochSecond());
        body.put("exp", now.plus(validFor).getEpochSecond());
        for (String c : claims) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--claim " + c + ": expected KEY=VALUE");
            }
            String key = c.substring(0, eq);
            if (List.of("exp", "iat").contains(key) || body.containsKey(key) && !key.equals("iss") && !key.equals("aud")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--claim " + key + ": set by --user, --org/--orgs, --name or --ttl; use those");
            }
            body.put(key, value(c.substring(eq + 1)));
        }
        spec.commandLine().getOut().println(new JwtSigner(jwt.secret()).sign(body));
        spec.commandLine().getOut().flush();
        err.flush();
        return 0;
    }

    /** The orgs claim from --org/--roles or --orgs. */
    private Map<String, List<String>> memberships() {
        if (org != null && orgs != null) {
            throw new IllegalArgumentException("give --org (with --roles) or --orgs, not both");
        }
        if (roles != null && org == null) {
            throw new IllegalArgumentException("--roles needs --org (the organization they are roles in)");
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (org != null) {
            out.put(org, roles == null ? List.of() : roles.stream().map(String::trim).filter(r -> !r.isEmpty()).toList());
        } else if (orgs != null) {
            JsonNode n;
            try {
                n = JSON.readTree(orgs);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("--orgs: not JSON: " + e.getOriginalMessage());
            }
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("--orgs: expected a JSON object of organization to roles, like {\"org_1\":[\"owner\"]}");
            }
            n.fields().forEachRemaining(f -> {
                List<String> rs = new ArrayList<>();
                if (f.getValue().isTextual()) {
                    rs.add(f.getValue().asText());
                } else if (f.getValue().isArray()) {
                    f.getValue().forEach(r -> {
                        if (!r.isTextual()) {
                            throw new IllegalArgumentException("--orgs: the roles of " + f.getKey() + " must be strings");
                        }
                        rs.add(r.asText());
                    });
                } else {
                    throw new IllegalArgumentException("--orgs: the roles of " + f.getKey() + " must be a list of strings");
                }
                out.put(f.getKey(), List.copyOf(rs));
            });
        }
        return out;
    }

    /** {@code 90s}, {@code 15m}, {@code 1h}, {@code 7d}, or seconds; may be negative. */
    static Duration duration(String text) {
        Matcher m = TTL.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--ttl " + text + ": expected a duration like 90s, 15m, 1h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** A claim value: JSON when it parses as a JSON number, boolean, null, array or object, else the text itself. */
    private static Object value(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && !n.isMissingNode() && !n.isTextual()) {
                return n;
            }
        } catch (JsonProcessingException e) {
            // a plain string
        }
        return text;
    }

    /** Sets {@code value} at a claim name, or at a JSON pointer ({@code /app_metadata/orgs}), making the objects on the way. */
    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> body, String location, Object value) {
        if (!location.startsWith("/")) {
            body.put(location, value);
            return;
        }
        String[] parts = location.substring(1).split("/");
        Map<String, Object> at = body;
        for (int i = 0; i < parts.length - 1; i++) {
            String part = unescape(parts[i]);
            Object next = at.get(part);
            if (!(next instanceof Map)) {
                next = new LinkedHashMap<String, Object>();
                at.put(part, next);
            }
            at = (Map<String, Object>) next;
        }
        at.put(unescape(parts[parts.length - 1]), value);
    }

    private static String unescape(String pointerPart) {
        return pointerPart.replace("~1", "/").replace("~0", "~");
    }
}
