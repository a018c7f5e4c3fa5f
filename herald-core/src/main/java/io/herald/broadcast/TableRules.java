package io.herald.broadcast;

import io.herald.config.BroadcastConfig;
import io.herald.config.MaskType;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One table's configuration compiled for the fan-out path: the projection as a set, masked fields
 * numbered so a variant is a bit mask of the masked fields a role set may see. Immutable.
 */
final class TableRules {
    final String name;
    final String schema;
    final BroadcastConfig.TableConfig config;
    final Set<String> projection;
    private final Map<String, Integer> maskIndex = new HashMap<>();
    private final MaskType[] maskTypes;
    private final List<String>[] showRoles;

    @SuppressWarnings("unchecked")
    TableRules(String name, BroadcastConfig.TableConfig config) {
        this.name = name;
        this.schema = config.schema();
        this.config = config;
        this.projection = config.fields() == null ? null : new HashSet<>(config.fields());
        int n = config.masking().size();
        this.maskTypes = new MaskType[n];
        this.showRoles = new List[n];
        int i = 0;
        for (var e : config.masking().entrySet()) {
            maskIndex.put(e.getKey(), i);
            maskTypes[i] = e.getValue().type();
            showRoles[i] = e.getValue().show().roles();
            i++;
        }
    }

    boolean enabled(ChangeEvent.Type type) {
        return switch (type) {
            case INSERT -> config.onInsert();
            case UPDATE -> config.onUpdate();
            // a TRUNCATE removes rows: a table that does not publish deletions does not publish it either
            case DELETE, TRUNCATE -> config.onDelete();
        };
    }

    /** Bit {@code i} set: masked field {@code i} is shown unmasked to {@code roles}. */
    long visibleMask(RoleSet roles) {
        long bits = 0;
        for (int i = 0; i < maskTypes.length; i++) {
            if (!showRoles[i].isEmpty() && roles.anyOf(showRoles[i])) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    /** The index of a masked field, or -1. */
    int maskIndex(String field) {
        Integer i = maskIndex.get(field);
        return i == null ? -1 : i;
    }

    MaskType maskType(int index) {
        return maskTypes[index];
    }

    boolean projects(String field) {
        return projection == null || projection.contains(field);
    }
}
