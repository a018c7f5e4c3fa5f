package io.herald.server.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.server.config.ConfigKeys.Key;
import java.io.IOException;

/**
 * {@code docs/herald.schema.json}: the keys as a JSON Schema (draft 2020-12) for editors, with each key's type,
 * default, description and accepted values. Objects refuse unknown keys as the loader does; a number, a flag or an
 * enumerated string may also be a {@code ${VAR}} reference, and a secret may only be one. Stateless.
 */
public final class ConfigSchema {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ConfigSchema() {
    }

    /** The schema of {@code root}, as pretty-printed JSON ending with a newline. */
    public static String render(Key root) {
        ObjectNode schema = JSON.objectNode();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("title", "herald.yaml");
        schema.put("description", "The configuration of a Herald server; every key is described in docs/configuration.md.");
        schema.setAll(object(root));
        ObjectNode defs = schema.putObject("$defs");
        defs.putObject("reference")
                .put("description", "A reference to an environment variable, ${VAR} or ${VAR:-fallback}, replaced at start-up.")
                .put("type", "string")
                .put("pattern", ConfigLoader.VAR.pattern());
        try {
            return new ObjectMapper().writer(new Printer()).writeValueAsString(schema) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Two spaces a level, {@code "key": value}, and {@code []} or {@code {}} when empty (as JSON.stringify writes it). */
    private static final class Printer extends DefaultPrettyPrinter {
        private static final long serialVersionUID = 1L;

        Printer() {
            super(DEFAULT_SEPARATORS.withObjectFieldValueSpacing(Separators.Spacing.AFTER));
            indentObjectsWith(new DefaultIndenter("  ", "\n"));
            indentArraysWith(new DefaultIndenter("  ", "\n"));
        }

        private Printer(Printer base) {
            super(base);
        }

        @Override
        public DefaultPrettyPrinter createInstance() {
            return new Printer(this);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            if (values > 0) {
                super.writeEndArray(g, values);
                return;
            }
            _nesting--;
            g.writeRaw(']');
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            if (entries > 0) {
                super.writeEndObject(g, entries);
                return;
            }
            _nesting--;
            g.writeRaw('}');
        }
    }

    private static ObjectNode schema(Key k) {
        ObjectNode s = switch (k.kind()) {
            case SCALAR -> scalar(k);
            case LIST -> {
                ObjectNode a = JSON.objectNode().put("type", "array");
                a.set("items", schema(k.item()));
                yield a;
            }
            case MAP -> {
                ObjectNode m = JSON.objectNode().put("type", "object");
                m.set("additionalProperties", schema(k.item()));
                yield m;
            }
            case OBJECT -> textOrObject(k);
        };
        if (k.name() == null) {
            return s;
        }
        ObjectNode described = JSON.objectNode().put("description", description(k));
        if (k.defaultValue() != null) {
            described.set("default", k.defaultValue());
        }
        described.setAll(s);
        return described;
    }

    private static String description(Key k) {
        String d = k.doc().value();
        if (!k.computedDefault().isEmpty()) {
            d += " Default: " + k.computedDefault() + ".";
        }
        if (k.secret() != null) {
            d += " Secret: only as ${" + k.secret().variable() + "}, or set " + (k.secret().fromVariable() ? k.secret().variable() : k.env())
                    + " in the environment.";
        }
        return d;
    }

    private static ObjectNode scalar(Key k) {
        if (k.secret() != null) {
            return JSON.objectNode().put("$ref", "#/$defs/reference");
        }
        ObjectNode base = JSON.objectNode().put("type", k.scalarType());
        if (!k.values().isEmpty()) {
            ArrayNode e = base.putArray("enum");
            k.values().forEach(e::add);
        }
        if (k.values().isEmpty() && k.scalarType().equals("string")) {
            return base;
        }
        // the loader substitutes ${VAR} in every value before binding it, so a number may be a reference too
        ObjectNode either = JSON.objectNode();
        either.putArray("anyOf").add(base).add(JSON.objectNode().put("$ref", "#/$defs/reference"));
        return either;
    }

    private static ObjectNode textOrObject(Key k) {
        ObjectNode o = object(k);
        if (k.textForms().isEmpty()) {
            return o;
        }
        ObjectNode text = JSON.objectNode().put("type", "string");
        ArrayNode e = text.putArray("enum");
        k.textForms().forEach(e::add);
        ObjectNode either = JSON.objectNode();
        either.putArray("anyOf").add(text).add(o);
        return either;
    }

    private static ObjectNode object(Key k) {
        ObjectNode o = JSON.objectNode();
        if (k.name() != null && !k.required()) {
            // "tls:" with nothing under it (or only comments) is null: the loader takes it as absent
            o.putArray("type").add("object").add("null");
        } else {
            o.put("type", "object");
        }
        o.put("additionalProperties", false);
        ObjectNode properties = o.putObject("properties");
        ArrayNode required = JSON.arrayNode();
        for (Key f : k.fields()) {
            properties.set(f.name(), schema(f));
            if (f.required()) {
                required.add(f.name());
            }
        }
        if (!required.isEmpty()) {
            o.set("required", required);
        }
        return o;
    }
}
