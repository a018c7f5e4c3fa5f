package io.herald.server.config;

import io.herald.server.config.ConfigKeys.Key;
import io.herald.server.config.ConfigKeys.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code herald.yaml} with every key at its default, each described in a comment: what {@code herald default-config}
 * prints. It loads as an empty file does. A key without a default (or whose default is computed at start-up, or a
 * secret) is commented out with an example; so is an object that is off unless given ({@code server.tls}), and one
 * item of each list or map of objects, as a template whose own optional keys are commented out once more. Stateless.
 */
public final class DefaultConfig {
    private final StringBuilder out = new StringBuilder();

    private DefaultConfig() {
    }

    /** The file for {@code root}, its first comment naming {@code version}. */
    public static String render(Key root, String version) {
        DefaultConfig y = new DefaultConfig();
        y.out.append("# herald.yaml with every key at its default, printed by `herald default-config` (Herald ").append(version)
                .append(").\n")
                .append("# Commented out: keys without a default (an example is shown), defaults computed at start-up, secrets\n")
                .append("# and templates of list items and map entries. Secrets are never written here: set ACCESS_TOKEN and\n")
                .append("# JWT_SECRET in the environment, or reference a variable as ${VAR}.\n")
                .append("# Precedence: defaults < this file (${VAR} substituted) < HERALD_* variables < --port.\n")
                .append("# Every key is described in docs/configuration.md.\n");
        for (Key section : root.fields()) {
            y.out.append('\n');
            y.key(section, 0, List.of(), false, false);
        }
        return y.out.toString();
    }

    /**
     * Writes {@code k} at {@code indent}. {@code comments} are the columns of the {@code #} of the commented-out
     * blocks the key is in, outermost first (empty: live); with {@code dash} the key is the first of a list item;
     * with {@code example} a key without a default is written with its example as if it were required.
     */
    private void key(Key k, int indent, List<Integer> comments, boolean dash, boolean example) {
        int keyIndent = dash ? indent + 2 : indent;
        String prefix = dash ? "- " : "";
        line(indent, comments, "# " + comment(k));
        if (k.unset() && !k.required() && !(example && k.kind() != Kind.OBJECT)) {
            // commented out once more where it stands
            List<Integer> off = plus(comments, indent);
            if (k.kind() == Kind.OBJECT) {
                line(indent, off, prefix + k.name() + ":");
                k.fields().forEach(f -> key(f, keyIndent + 2, off, false, false));
            } else {
                String shown = k.secret() != null ? "${" + k.secret().variable() + "}" : k.doc().example();
                line(indent, off, prefix + k.name() + ":" + (shown.isEmpty() ? "" : " " + shown));
            }
            return;
        }
        if (k.kind() == Kind.OBJECT) {
            line(indent, comments, prefix + k.name() + ":");
            k.fields().forEach(f -> key(f, keyIndent + 2, comments, false, false));
            return;
        }
        if (k.required() || k.unset()) {
            line(indent, comments, prefix + k.name() + ": " + YamlText.inline(ConfigKeys.example(k.doc())));
            return;
        }
        line(indent, comments, prefix + k.name() + ": " + YamlText.inline(k.defaultValue()));
        List<Integer> off = plus(comments, keyIndent);
        if (k.item() != null && k.item().kind() == Kind.OBJECT) {
            line(keyIndent, off, k.name() + ":");
            template(k, keyIndent + 2, off);
        } else if (k.kind() != Kind.SCALAR && !k.doc().example().isEmpty() && k.defaultValue().isEmpty()) {
            line(keyIndent, off, k.name() + ": " + k.doc().example());
        }
    }

    /**
     * One item of a list or map of objects, commented out. An item whose keys all lack a default shows its first
     * with an example, so that the template, uncommented, is an item ({@code cdc.postgres.tables.<table>}).
     */
    private void template(Key k, int indent, List<Integer> comments) {
        List<Key> fields = k.item().fields();
        boolean empty = fields.stream().allMatch(f -> f.unset() && !f.required());
        if (k.kind() == Kind.MAP) {
            line(indent, comments, "<" + k.doc().key() + ">:");
        }
        for (int i = 0; i < fields.size(); i++) {
            boolean first = i == 0;
            if (k.kind() == Kind.LIST) {
                key(fields.get(i), first ? indent : indent + 2, comments, first, empty && first);
            } else {
                key(fields.get(i), indent + 2, comments, false, empty && first);
            }
        }
    }

    private static List<Integer> plus(List<Integer> comments, int column) {
        List<Integer> more = new ArrayList<>(comments);
        more.add(column);
        return List.copyOf(more);
    }

    private static String comment(Key k) {
        String c = k.doc().value();
        if (k.required()) {
            c += " Required.";
        }
        if (!k.computedDefault().isEmpty()) {
            c += " Default: " + k.computedDefault() + ".";
        }
        if (k.secret() != null) {
            c += " Secret: set " + (k.secret().fromVariable() ? k.secret().variable() : k.env()) + ", or write ${"
                    + k.secret().variable() + "}.";
        }
        return c;
    }

    /** {@code text} at column {@code indent}, with a {@code # } inserted at each column of {@code comments}. */
    private void line(int indent, List<Integer> comments, String text) {
        int at = 0;
        for (int column : comments) {
            out.append(" ".repeat(column - at)).append("# ");
            at = column;
        }
        out.append(" ".repeat(indent - at)).append(text).append('\n');
    }
}
