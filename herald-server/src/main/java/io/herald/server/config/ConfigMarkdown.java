package io.herald.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.server.config.ConfigKeys.Key;
import io.herald.server.config.ConfigKeys.Kind;
import java.util.List;
import java.util.stream.Collectors;

/** {@code docs/configuration.md}: every key of {@code herald.yaml} in one table per section. Stateless. */
public final class ConfigMarkdown {
    /** The command that rewrites the generated files, said wherever they are checked. */
    public static final String REGENERATE = "./mvnw -q -pl herald-server -am test -Dherald.examples.skip"
            + " -Dtest=ConfigReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Dherald.docs.write=true";

    private ConfigMarkdown() {
    }

    /** The page for {@code root}. */
    public static String render(Key root) {
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from the @Doc annotations of the records in io.herald.config: edit those, not this file.\n")
                .append("     ConfigReferenceTest fails while this file differs from what they give; regenerate it with\n")
                .append("     ").append(REGENERATE).append(" -->\n\n");
        out.append(INTRO);
        out.append("Sections: ").append(root.fields().stream().map(s -> "[" + s.name() + "](#" + s.name().toLowerCase(java.util.Locale.ROOT) + ")")
                .collect(Collectors.joining(" · "))).append("\n");
        for (Key section : root.fields()) {
            out.append("\n## ").append(section.name()).append("\n\n").append(section.doc().value()).append("\n\n");
            out.append("| key | type | default | environment | description |\n|---|---|---|---|---|\n");
            section.forEach(k -> {
                // a list's item or a map's value has no row of its own: its keys have ([] and <name> in their paths)
                if (k != section && k.name() != null) {
                    out.append(row(k));
                }
            });
        }
        return out.toString();
    }

    private static String row(Key k) {
        return "| `" + k.path() + "` | " + cell(type(k)) + " | " + cell(defaultText(k)) + " | " + cell(env(k)) + " | "
                + cell(prose(description(k))) + " |\n";
    }

    /** Plain text made safe in Markdown: {@code <table>} is not an HTML tag, {@code *.jar} not emphasis. */
    private static String prose(String s) {
        return s.replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*");
    }

    /** What a key holds, in words: {@code integer}, {@code list of string}, {@code one of `a`, `b`}. */
    static String type(Key k) {
        return switch (k.kind()) {
            case SCALAR -> k.values().isEmpty() ? k.scalarType() : "one of " + quoted(k.values());
            case LIST -> "list of " + itemType(k.item());
            case MAP -> "map of " + itemType(k.item());
            case OBJECT -> k.textForms().isEmpty() ? "object" : quoted(k.textForms()) + " or object";
        };
    }

    /** The items of a list or the values of a map, in the plural: {@code strings}, {@code lists of strings}. */
    private static String itemType(Key item) {
        return switch (item.kind()) {
            case SCALAR -> item.values().isEmpty() ? item.scalarType() + "s" : quoted(item.values());
            case LIST -> "lists of " + itemType(item.item());
            case MAP -> "maps of " + itemType(item.item());
            case OBJECT -> "objects";
        };
    }

    private static String quoted(List<String> values) {
        return values.stream().map(v -> "`" + v + "`").collect(Collectors.joining(", "));
    }

    private static String defaultText(Key k) {
        if (k.required()) {
            return "required";
        }
        if (!k.computedDefault().isEmpty()) {
            return k.computedDefault();
        }
        if (k.defaultValue() == null) {
            // an object that is there by default shows its keys' defaults
            return k.kind() == Kind.OBJECT && !k.unset() ? "" : "—";
        }
        JsonNode v = k.defaultValue();
        // a string as it is, without the quotes YAML may need around it
        String text = v.isTextual() && !v.asText().isEmpty() ? v.asText() : YamlText.inline(v);
        return "`" + text + "`" + bytes(k, v);
    }

    /** {@code (1 MiB)} after a whole number of KiB or MiB of a key counted in bytes. */
    private static String bytes(Key k, JsonNode v) {
        if (!k.name().endsWith("Bytes") || !v.canConvertToLong() || v.asLong() < 1024 || v.asLong() % 1024 != 0) {
            return "";
        }
        long kib = v.asLong() / 1024;
        return kib % 1024 == 0 ? " (" + kib / 1024 + " MiB)" : " (" + kib + " KiB)";
    }

    private static String env(Key k) {
        if (k.secret() != null && k.secret().fromVariable()) {
            return "`" + k.secret().variable() + "` (or `" + k.env() + "`)";
        }
        return k.env() == null ? "" : "`" + k.env() + "`";
    }

    private static String description(Key k) {
        String d = k.doc().value();
        if (k.secret() != null) {
            d += " Secret: written in a file only as `${" + k.secret().variable() + "}`.";
        }
        return d;
    }

    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ");
    }

    private static final String INTRO = """
            # Configuration reference

            Every key of `herald.yaml`: its type, its default, the environment variable that sets it and what it does.
            Every key is optional unless it says *required*, and those are required only when their parent is given (a
            `server.tls` needs its `certFile`). The per-primitive pages explain the keys in context; this page is the
            complete list.

            - `herald default-config` prints a `herald.yaml` with every key at its default, each described in a comment.
            - [herald.schema.json](herald.schema.json) is the same list as a JSON Schema (draft 2020-12). With the
              YAML extension of VS Code (or any editor using yaml-language-server), a first line
              `# yaml-language-server: $schema=<path or URL of docs/herald.schema.json>` completes and checks the file.

            Key paths: `[]` is an item of a list (`rooms.bindings[].name`), `<name>` a key of a map that you choose
            (`broadcast.tables.<table>.fields`). A duration is in the unit its name ends with (`Ms`, `Seconds`,
            `Micros`), a size in bytes when its name ends with `Bytes`.

            ## Where a value comes from

            From lowest to highest precedence:

            1. **The default** in the tables below: what Herald uses with no file, or an empty one.
            2. **The file**: `herald serve --config herald.yaml`, or the path in `HERALD_CONFIG`. An unknown key stops
               the start naming its path (`herald: configuration error: server.colour: unknown key`, exit status 2).
            3. **`${VAR}` references** in the file's values, replaced by the variable's value before anything else reads
               them; `${VAR:-fallback}` uses `fallback` when `VAR` is not set, and an unset `VAR` without one stops the
               start. A number or a flag may be a reference too (`port: ${PORT:-8080}`).
            4. **`HERALD_*` variables**, over the file: the *environment* column names the one for each key
               (`HERALD_SERVER_PORT=9000`). A list of strings is given comma-separated
               (`HERALD_SERVER_ALLOWED_ORIGINS=https://a.example,https://b.example`); lists of objects and maps come
               only from the file. A variable the file references as `${...}` is only that value, never an override.
               One that names no key is ignored with a warning on standard error. `HERALD_CONFIG`, `HERALD_JAVA_OPTS`
               and `HERALD_LOG_LEVEL` are the launcher's and the logger's, not keys. `HERALD_STORAGE_URL` drops the
               file's `storage.path`, and `HERALD_STORAGE_PATH` the file's `storage.url`.
            5. **`--port`**, over `server.port`.

            Then the secrets: `server.accessToken` is read from `ACCESS_TOKEN` and `auth.jwt.secret` from `JWT_SECRET`
            when nothing above set them. When either is still missing, Herald generates it for this run and starts in
            **dev mode** ([broadcast.md](broadcast.md#dev-mode)): `admin.enabled` then defaults to `true`, and the
            examples' bindings, channel and table are added under names the file has not taken. `auth.jwt.secret` is
            not generated when `auth.jwt.jwksUrl` is set.

            **Secrets are never written in the file.** `server.accessToken`, `auth.jwt.secret`, `storage.password` and
            `cdc.postgres.password` may appear there only as a reference (`password: ${HERALD_STORAGE_PASSWORD}`); a
            written value stops the start. Give them in the environment.

            """;
}
